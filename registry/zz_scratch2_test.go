package registry
import ("testing";"fmt";"encoding/csv";"os";"strings";"time")
func pd(s string) *time.Time { if s=="" {return nil}; t,_:=time.Parse(time.DateOnly,s); return &t }
func TestScratchEval(t *testing.T){
 f,_:=os.Open("testdata/name_pairs.csv"); recs,_:=csv.NewReader(f).ReadAll()
 tp,fp,fn,tn:=0,0,0,0
 for _, r := range recs[1:] {
  row := candidateRow{GivenName:r[0],FamilyName:r[1],GivenNameLatin:latinOf(r[0],""),FamilyNameLatin:latinOf(r[1],""),Sex:r[2],BirthDateFrom:pd(r[3]),BirthDateTo:pd(r[4]),Nationalities:strings.Split(r[5],";")}
  a := storedPerson(row, NameRows(1,r[0],r[1],"","",nil))
  q := queryPerson(DuplicateQuery{GivenName:r[6],FamilyName:r[7],Sex:r[8],BirthDateFrom:pd(r[9]),BirthDateTo:pd(r[10]),Nationalities:strings.Split(r[11],";")})
  s, rs := scoreMatch(q, a)
  flag := s >= possibleScore
  same := r[12]=="true"
  mark := ""
  switch { case flag&&same: tp++; case flag&&!same: fp++; mark="FP"; case !flag&&same: fn++; mark="FN"; default: tn++ }
  m := matchNames(q,a)
  fmt.Printf("%-3s %.2f name=%.2f %-28s | %-28s %v\n", mark, s, m.score, row.GivenNameLatin+" "+row.FamilyNameLatin, LatinName(r[6]+" "+r[7]), rs[0].Data)
 }
 fmt.Println("tp",tp,"fp",fp,"fn",fn,"tn",tn)
}
