package matching

// Transliteration of the scripts names on the route are written in: the Arabic script (Arabic,
// Dari, Pashto, Urdu, Sorani), Bengali, Cyrillic (Ukrainian and Russian) and Ethiopic.

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/unidecode"
)

// arabicNames are common names of the route in the Arabic script with the spelling officers
// most often write. Keys are folded by arabicKey (so ي/ی, ك/ک, ة/ه and the alef forms meet).
var arabicNames = map[string]string{}

func init() {
	pairs := []string{
		"محمد", "Mohammad", "احمد", "Ahmad", "محمود", "Mahmoud", "مصطفى", "Mustafa", "علي", "Ali",
		"حسن", "Hassan", "حسين", "Hussein", "عمر", "Omar", "عثمان", "Osman", "يوسف", "Yusuf",
		"ابراهيم", "Ibrahim", "اسماعيل", "Ismail", "اسحاق", "Ishaq", "يعقوب", "Yaqub", "ايوب", "Ayoub",
		"موسى", "Musa", "عيسى", "Isa", "يحيى", "Yahya", "زكريا", "Zakaria", "سليمان", "Suleiman",
		"داود", "Dawood", "آدم", "Adam", "خالد", "Khalid", "سعيد", "Saeed", "سعد", "Saad",
		"سمير", "Samir", "كريم", "Karim", "رحيم", "Rahim", "رحمان", "Rahman", "رحمن", "Rahman",
		"عبدالله", "Abdullah", "عبدالرحمن", "Abdulrahman", "عبدالرحيم", "Abdulrahim",
		"عبدالكريم", "Abdulkarim", "عبدالقادر", "Abdulqadir", "عبدالعزيز", "Abdulaziz",
		"عبدالحميد", "Abdulhamid", "عبدالسلام", "Abdulsalam", "عبدالرزاق", "Abdulrazaq",
		"عبدالواحد", "Abdulwahid", "عبدالباسط", "Abdulbasit", "عبدالغفور", "Abdulghafoor",
		"مرتضى", "Murtaza", "رضا", "Reza", "مهدي", "Mahdi", "جواد", "Jawad", "حميد", "Hamid",
		"حامد", "Hamed", "ناصر", "Nasser", "نصير", "Nasir", "بلال", "Bilal", "امير", "Amir",
		"امين", "Amin", "ايمن", "Ayman", "ياسين", "Yasin", "طارق", "Tariq", "وليد", "Walid",
		"وسيم", "Wasim", "فيصل", "Faisal", "فهد", "Fahad", "جمال", "Jamal", "كمال", "Kamal",
		"سليم", "Salim", "قاسم", "Qasim", "جعفر", "Jafar", "صادق", "Sadiq", "باقر", "Baqir",
		"كاظم", "Kazim", "هادي", "Hadi", "نبيل", "Nabil", "عادل", "Adel", "عماد", "Imad",
		"حازم", "Hazem", "باسل", "Basel", "رامي", "Rami", "سامي", "Sami", "فادي", "Fadi",
		"ماهر", "Maher", "انس", "Anas", "معاذ", "Muaz", "حمزة", "Hamza", "زيد", "Zaid",
		"فراس", "Firas", "رشيد", "Rashid", "شريف", "Sharif", "عزيز", "Aziz", "غلام", "Ghulam",
		"گل", "Gul", "شاه", "Shah", "خان", "Khan", "نبي", "Nabi", "ذبيح", "Zabih", "نجيب", "Najib",
		"حبيب", "Habib", "ضياء", "Zia", "شفيق", "Shafiq", "رفيق", "Rafiq", "صديق", "Siddiq",
		"فريد", "Farid", "فرهاد", "Farhad", "جمشيد", "Jamshid", "سهراب", "Sohrab", "رستم", "Rustam",
		"اكبر", "Akbar", "اصغر", "Asghar", "عرفان", "Irfan", "عمران", "Imran", "عباس", "Abbas",
		"حيدر", "Haidar", "صابر", "Sabir", "شبير", "Shabbir", "ظاهر", "Zahir", "طاهر", "Tahir",
		"اسد", "Asad", "سيف", "Saif", "نعمت", "Nemat", "رحمت", "Rahmat", "سجاد", "Sajjad",
		"ارشد", "Arshad", "اسلم", "Aslam", "اكرم", "Akram", "شاهد", "Shahid", "زاهد", "Zahid",
		"ساجد", "Sajid", "ماجد", "Majid", "مجيد", "Majid", "خليل", "Khalil", "جليل", "Jalil",
		"نذير", "Nazir", "بشير", "Bashir", "منير", "Munir", "عارف", "Arif", "آصف", "Asif",
		"قادر", "Qadir", "حافظ", "Hafiz", "عاطف", "Atif", "عاصم", "Asim", "نعيم", "Naeem",
		"وحيد", "Wahid", "مراد", "Murad", "رسول", "Rasool", "نور", "Noor", "هاشم", "Hashim",
		"نظر", "Nazar", "سلطان", "Sultan", "عظيم", "Azim", "فاروق", "Farooq", "ادريس", "Idris",
		"الياس", "Ilyas", "جنيد", "Junaid", "اويس", "Owais", "ذاكر", "Zakir", "نويد", "Navid",
		"مسعود", "Masoud", "منصور", "Mansour", "يونس", "Younis", "شعيب", "Shoaib", "ملك", "Malik",
		"قريشي", "Qureshi", "انصاري", "Ansari", "نيازي", "Niazi", "چودھری", "Chaudhry",
		"خطيب", "Khatib", "دراني", "Durrani", "صافي", "Safi", "غوري", "Ghori", "وردك", "Wardak",
		"پوپل", "Popal", "مومند", "Momand", "شينواري", "Shinwari", "ستانكزي", "Stanikzai",
		"فاطمة", "Fatima", "عائشة", "Aisha", "عايشه", "Aisha", "زينب", "Zainab", "مريم", "Maryam",
		"خديجة", "Khadija", "زهرا", "Zahra", "زهرة", "Zahra", "آمنة", "Amina", "امينة", "Amina",
		"سارة", "Sara", "سارا", "Sara", "هدى", "Huda", "ليلى", "Leila", "ليلا", "Leila",
		"رقية", "Ruqaya", "سمية", "Sumaya", "شبنم", "Shabnam", "نازنين", "Nazanin", "پروين", "Parwin",
		"فريدة", "Farida", "مينا", "Mina", "رحيمة", "Rahima", "صفية", "Safia", "حليمة", "Halima",
		"نسرين", "Nasrin", "ياسمين", "Yasmin", "شكيلا", "Shakila", "ملاله", "Malala",
		"گلالۍ", "Gulalai", "نادية", "Nadia", "رانيا", "Rania", "دعاء", "Doaa", "آية", "Aya",
		"اسراء", "Israa", "سلمى", "Salma",
	}
	for i := 0; i < len(pairs); i += 2 {
		arabicNames[arabicKey(pairs[i])] = pairs[i+1]
	}
}

// arabicKey strips vowel marks and the tatweel and folds letter variants, for dictionary look-ups.
func arabicKey(w string) string {
	var b strings.Builder
	rs := []rune(w)
	for i, r := range rs {
		if isArabicMark(r) {
			continue
		}
		switch r {
		case 'ئ':
			if b.Len() == 0 {
				continue // Kurdish writes a seat before an initial vowel
			}
			r = 'ی'
		case 'ە':
			if i < len(rs)-1 {
				r = 'ێ' // a vowel inside a Kurdish word, "e"
			} else {
				r = 'ه'
			}
		case 'ي', 'ى', 'ې', 'ے', 'ۍ':
			r = 'ی'
		case 'ك', 'ڪ':
			r = 'ک'
		case 'ة', 'ۀ', 'ہ':
			r = 'ه'
		case 'أ', 'إ', 'آ', 'ٱ':
			r = 'ا'
		case 'ګ':
			r = 'گ'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isArabicMark reports short-vowel marks, the tatweel and joiners, which names do not need.
func isArabicMark(r rune) bool {
	return (r >= 0x064B && r <= 0x065F) || r == 0x0670 || (r >= 0x06D6 && r <= 0x06ED) ||
		r == 0x0640 || r == 0x200C || r == 0x200D || r == 0x200E || r == 0x200F
}

// arabicWord transliterates one word: a known name, a compound (…الله, …الدین, عبدال…, ال…,
// the nisba -ی and the Pashtun -زی), or letter by letter.
func arabicWord(w string, persian bool) string {
	parts := strings.Split(w, "-")
	for i, p := range parts {
		parts[i] = capitalize(arabicCompound(arabicKey(p), persian))
	}
	return strings.Join(parts, "-")
}

func arabicCompound(k string, persian bool) string {
	if k == "" {
		return ""
	}
	if l, ok := arabicNames[k]; ok {
		return l
	}
	part := func(s string) string { return strings.ToLower(arabicCompound(s, persian)) }
	n := utf8.RuneCountInString(k)
	switch {
	case n > 5 && strings.HasSuffix(k, "الله"):
		return capitalize(part(strings.TrimSuffix(k, "الله")) + "ullah")
	case n > 6 && strings.HasSuffix(k, "الدین"):
		return capitalize(part(strings.TrimSuffix(k, "الدین")) + "uddin")
	case n > 5 && strings.HasPrefix(k, "عبدال"):
		return "Abdul" + part(strings.TrimPrefix(k, "عبدال"))
	case n > 4 && strings.HasPrefix(k, "ال"):
		return "Al-" + capitalize(part(strings.TrimPrefix(k, "ال")))
	case n > 4 && strings.HasSuffix(k, "زی"):
		if l, ok := arabicNames[strings.TrimSuffix(k, "زی")]; ok {
			return l + "zai"
		}
	case n > 3 && strings.HasSuffix(k, "ی"):
		if l, ok := arabicNames[strings.TrimSuffix(k, "ی")]; ok {
			return l + "i"
		}
	}
	if rs := []rune(k); len(rs) >= 5 {
		for i := 2; i <= len(rs)-2; i++ {
			a, okA := arabicNames[string(rs[:i])]
			b, okB := arabicNames[string(rs[i:])]
			if okA && okB {
				return a + strings.ToLower(b)
			}
		}
	}
	return capitalize(arabicLetters(k, persian))
}

var arabicConsonants = map[rune]string{
	'ب': "b", 'پ': "p", 'ت': "t", 'ٹ': "t", 'ټ': "t", 'ج': "j", 'چ': "ch", 'ح': "h", 'خ': "kh",
	'د': "d", 'ڈ': "d", 'ډ': "d", 'ر': "r", 'ڑ': "r", 'ړ': "r", 'ڕ': "r", 'ز': "z", 'ژ': "zh",
	'ږ': "zh", 'س': "s", 'ش': "sh", 'ښ': "sh", 'ص': "s", 'ط': "t", 'ظ': "z", 'غ': "gh",
	'ف': "f", 'ڤ': "v", 'ق': "q", 'ک': "k", 'گ': "g", 'ل': "l", 'ڵ': "l", 'م': "m", 'ن': "n",
	'ں': "n", 'ڼ': "n", 'ځ': "z", 'څ': "s", 'ھ': "h",
}

// arabicLetters reads a word letter by letter. Long vowels are written (ا و ی); و and ی are
// consonants at the start of a word or before a vowel letter. A word that starts with two
// consonants gets an "a" between them, the most frequent unwritten vowel (کریم → Karim).
func arabicLetters(k string, persian bool) string {
	rs := []rune(k)
	isVowelLetter := func(i int) bool {
		return i >= 0 && i < len(rs) && strings.ContainsRune("اآوی", rs[i])
	}
	var out []string
	vowel := []bool{}
	emit := func(s string, v bool) {
		if s != "" {
			out = append(out, s)
			vowel = append(vowel, v)
		}
	}
	for i, r := range rs {
		last := i == len(rs)-1
		switch r {
		case 'ا':
			switch {
			case i == 0 && len(rs) > 2 && rs[1] == 'و' && !isVowelLetter(2):
				emit("o", true)
			case i == 0 && len(rs) > 2 && rs[1] == 'ی' && !isVowelLetter(2):
				emit("i", true)
			default:
				emit("a", true)
			}
		case 'و':
			switch {
			case i == 1 && rs[0] == 'ا' && !isVowelLetter(2):
				// read with the alef above
			case i == 0 || isVowelLetter(i+1) || (i > 0 && rs[i-1] == 'ا'):
				emit("w", false)
			default:
				emit("u", true)
			}
		case 'ۆ':
			emit("o", true)
		case 'ی':
			switch {
			case i == 1 && rs[0] == 'ا' && !isVowelLetter(2):
			case i == 0 || isVowelLetter(i+1):
				emit("y", false)
			default:
				emit("i", true)
			}
		case 'ێ':
			emit("e", true)
		case 'ه':
			if last && i > 0 && !isVowelLetter(i-1) {
				emit("a", true)
			} else {
				emit("h", false)
			}
		case 'ع':
			switch {
			case isVowelLetter(i + 1):
			case i == 0 || !isVowelLetter(i-1):
				emit("a", true)
			}
		case 'ء':
		case 'ث':
			emit(pick(persian, "s", "th"), false)
		case 'ذ':
			emit(pick(persian, "z", "dh"), false)
		case 'ض':
			emit(pick(persian, "z", "d"), false)
		default:
			if c, ok := arabicConsonants[r]; ok {
				emit(c, false)
			} else if !unicode.IsLetter(r) {
				continue
			} else {
				emit(strings.ToLower(unidecode.Unidecode(string(r))), false)
			}
		}
	}
	if len(out) >= 2 && !vowel[0] && !vowel[1] && out[1] != "y" {
		out = append(out[:1], append([]string{"a"}, out[1:]...)...)
	}
	return strings.Join(out, "")
}

var pashtoNorthLetters = strings.NewReplacer("ږ", "گ", "ښ", "خ")

// pashtoNorth is the name read as northern (Yusufzai, Peshawar) Pashto says it, ok false when
// it has none of the letters the dialects say otherwise: ږ is zh in the south (Kandahar) and g
// in the north, ښ sh and kh (Pashto / Pakhto), so Spozhmai and Spogmai, Wazhma and Wagma are
// both the spellings of one name.
func pashtoNorth(s string) (string, bool) {
	if !strings.ContainsAny(s, "ږښ") {
		return s, false
	}
	return pashtoNorthLetters.Replace(s), true
}

func pick(persian bool, p, a string) string {
	if persian {
		return p
	}
	return a
}

// --- Bengali -------------------------------------------------------------------------------

var bengaliConsonants = map[rune]string{
	'ক': "k", 'খ': "kh", 'গ': "g", 'ঘ': "gh", 'ঙ': "ng", 'চ': "ch", 'ছ': "chh", 'জ': "j",
	'ঝ': "jh", 'ঞ': "n", 'ট': "t", 'ঠ': "th", 'ড': "d", 'ঢ': "dh", 'ণ': "n", 'ত': "t",
	'থ': "th", 'দ': "d", 'ধ': "dh", 'ন': "n", 'প': "p", 'ফ': "f", 'ব': "b", 'ভ': "bh",
	'ম': "m", 'য': "j", 'র': "r", 'ল': "l", 'শ': "sh", 'ষ': "sh", 'স': "s", 'হ': "h",
	'\u09DC': "r", '\u09DD': "rh", '\u09DF': "y", 'ৎ': "t",
}

var bengaliVowels = map[rune]string{
	'অ': "a", 'আ': "a", 'ই': "i", 'ঈ': "i", 'উ': "u", 'ঊ': "u", 'ঋ': "ri", 'এ': "e", 'ঐ': "oi",
	'ও': "o", 'ঔ': "ou", 'া': "a", 'ি': "i", 'ী': "i", 'ু': "u", 'ূ': "u", 'ৃ': "ri", 'ে': "e",
	'ৈ': "oi", 'ো': "o", 'ৌ': "ou",
}

// bengaliWord reads a Bengali word: a consonant carries an unwritten "a" unless a vowel sign
// or the virama follows; that "a" is silent at the end of a word and between a vowel and a
// consonant that has its own vowel (রহমান → Rahman, ইসলাম → Islam).
func bengaliWord(w string) string {
	type syl struct {
		cons, vow string
		inherent  bool
	}
	var ss []syl
	rs := []rune(w)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if i+1 < len(rs) && rs[i+1] == '়' { // nukta
			switch r {
			case 'ড':
				r = '\u09DC'
			case 'ঢ':
				r = '\u09DD'
			case 'য':
				r = '\u09DF'
			}
			i++
		}
		switch {
		case bengaliConsonants[r] != "":
			s := syl{cons: bengaliConsonants[r], vow: "a", inherent: true}
			if r == 'য' && i > 0 && rs[i-1] == '্' {
				s.cons = "y"
			}
			if r == 'ভ' && len(ss) > 0 {
				s.cons = "v" // inside a name ভ is written v (Tanvir)
			}
			if i+1 < len(rs) {
				if v, ok := bengaliVowels[rs[i+1]]; ok && !strings.ContainsRune("অআইঈউঊঋএঐওঔ", rs[i+1]) {
					s.vow, s.inherent = v, false
					i++
				} else if rs[i+1] == '্' {
					s.vow, s.inherent = "", false
					i++
				}
			}
			ss = append(ss, s)
		case bengaliVowels[r] != "":
			ss = append(ss, syl{vow: bengaliVowels[r]})
		case r == 'ং':
			ss = append(ss, syl{cons: "ng"})
		case r == 'ঃ':
			ss = append(ss, syl{cons: "h"})
		}
	}
	for i := range ss {
		if !ss[i].inherent {
			continue
		}
		switch {
		case i == len(ss)-1 && i > 0:
			ss[i].vow = ""
		case i > 0 && i+1 < len(ss) && ss[i-1].vow != "" && ss[i+1].cons != "" && ss[i+1].vow != "" &&
			!(i+1 == len(ss)-1 && ss[i+1].inherent):
			ss[i].vow = ""
		}
	}
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.cons + s.vow)
	}
	return b.String()
}

// --- Cyrillic ------------------------------------------------------------------------------

// ukrainian is the official passport transliteration (Cabinet of Ministers, 2010); the first
// letter of a word uses the second form where there is one.
var ukrainian = map[rune][2]string{
	'а': {"a"}, 'б': {"b"}, 'в': {"v"}, 'г': {"h"}, 'ґ': {"g"}, 'д': {"d"}, 'е': {"e"},
	'є': {"ie", "ye"}, 'ж': {"zh"}, 'з': {"z"}, 'и': {"y"}, 'і': {"i"}, 'ї': {"i", "yi"},
	'й': {"i", "y"}, 'к': {"k"}, 'л': {"l"}, 'м': {"m"}, 'н': {"n"}, 'о': {"o"}, 'п': {"p"},
	'р': {"r"}, 'с': {"s"}, 'т': {"t"}, 'у': {"u"}, 'ф': {"f"}, 'х': {"kh"}, 'ц': {"ts"},
	'ч': {"ch"}, 'ш': {"sh"}, 'щ': {"shch"}, 'ь': {""}, 'ю': {"iu", "yu"}, 'я': {"ia", "ya"},
	'\'': {""}, 'ʼ': {""}, '’': {""},
}

// russian differs where Russian letters or sounds differ.
var russian = map[rune][2]string{
	'г': {"g"}, 'и': {"i"}, 'й': {"y"}, 'ы': {"y"}, 'э': {"e"}, 'ъ': {""}, 'ё': {"yo"},
	'е': {"e", "ye"}, 'ю': {"yu"}, 'я': {"ya"},
}

// isRussian tells Russian from Ukrainian: letters Ukrainian lacks, or a name ending in -ий /
// -ей (Дмитрий, Сергей; not the Ukrainian -ський) with no letter Russian lacks.
func isRussian(s string) bool {
	s = strings.ToLower(s)
	if strings.ContainsAny(s, "ыэъё") {
		return true
	}
	if strings.ContainsAny(s, "іїєґ") {
		return false
	}
	for _, w := range strings.Fields(s) {
		if strings.HasSuffix(w, "ей") || strings.HasSuffix(w, "ий") && !strings.HasSuffix(w, "ький") {
			return true
		}
	}
	return false
}

func cyrillicWord(w string, isRussian bool) string {
	var b strings.Builder
	start := true
	rs := []rune(w)
	for i, r := range rs {
		lr := unicode.ToLower(r)
		forms, ok := ukrainian[lr]
		if isRussian {
			if f, ok2 := russian[lr]; ok2 {
				forms, ok = f, true
			}
		}
		if !ok {
			b.WriteString(unidecode.Unidecode(string(r)))
			start = !unicode.IsLetter(r)
			continue
		}
		s := forms[0]
		if start && forms[1] != "" {
			s = forms[1]
		}
		if !isRussian && lr == 'г' && i > 0 && unicode.ToLower(rs[i-1]) == 'з' {
			s = "gh"
		}
		if unicode.IsUpper(r) {
			s = capitalize(s)
		}
		b.WriteString(s)
		start = false
	}
	return b.String()
}

// --- Ethiopic ------------------------------------------------------------------------------

// ethiopicWord reads Tigrinya and Amharic syllables: the sixth form of a letter is the bare
// consonant (ዳዊት → Dawit), not "consonant + e" as unidecode reads it.
func ethiopicWord(w string) string {
	vowels := [8]string{"e", "u", "i", "a", "e", "", "o", "wa"}
	var b strings.Builder
	for _, r := range w {
		if r < 0x1200 || r > 0x135A {
			b.WriteString(unidecode.Unidecode(string(r)))
			continue
		}
		base := strings.TrimRight(strings.ToLower(unidecode.Unidecode(string(r))), "aeiou'")
		b.WriteString(base + vowels[(r-0x1200)%8])
	}
	return b.String()
}
