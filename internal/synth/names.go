package synth

import "strings"

// A name as a child writes it (in the script of their language; empty when they do not write
// it) and the Latin spellings officers and interpreters type for it, the most frequent first.
type nameEntry struct {
	script string
	latin  []string
}

// origin is a group of children who share a language and naming customs.
type origin struct {
	nationality string
	weight      int
	// scriptShare is how often the name is written in the child's script as well as in Latin.
	scriptShare float64
	// noFamily is how often a child gives no family name.
	noFamily      float64
	male, female  []nameEntry
	family        []nameEntry
	languages     []weighted[string] // each with its own probability (0–100)
	documentTypes []string
	// airport is how often this group arrives by air (TIA) rather than overland.
	airport float64
}

type weighted[T any] struct {
	v T
	w int
}

// n parses "script|Latin1/Latin2…" entries; an entry without "|" is Latin only.
func n(entries ...string) []nameEntry {
	out := make([]nameEntry, len(entries))
	for i, e := range entries {
		script, latin, ok := strings.Cut(e, "|")
		if !ok {
			script, latin = "", e
		}
		out[i] = nameEntry{script: script, latin: strings.Split(latin, "/")}
	}
	return out
}

var afghanMale = n(
	"محمد|Mohammad/Muhammad/Mohammed/Mohamad", "احمد|Ahmad/Ahmed", "علی|Ali", "حسین|Hussain/Hussein/Hossein/Husain",
	"حسن|Hassan/Hasan", "رحیم|Rahim/Raheem", "کریم|Karim/Kareem", "جواد|Jawad/Javad", "حمید|Hamid/Hameed",
	"نوید|Navid/Naveed/Nawid", "فرهاد|Farhad", "جمشید|Jamshid/Jamshed", "سهراب|Sohrab/Suhrab", "مصطفی|Mustafa/Mostafa",
	"مرتضی|Murtaza/Mortaza", "یوسف|Yusuf/Yousuf/Yousef", "بلال|Bilal", "عبدالله|Abdullah/Abdulla",
	"حبیب‌الله|Habibullah/Habib Ullah", "نورالله|Noorullah/Nurullah", "ذبیح‌الله|Zabihullah/Zabiullah",
	"رحمت‌الله|Rahmatullah/Rahmatulla", "عزیز|Aziz", "شفیق|Shafiq/Shafeeq", "امید|Omid/Umid", "سجاد|Sajjad/Sajad",
	"مهدی|Mahdi/Mehdi", "رضا|Reza/Raza", "ظاهر|Zahir/Zaher", "نجیب|Najib/Najeeb", "ولی|Wali/Vali",
	"اسدالله|Asadullah/Asadulla", "شریف|Sharif/Shareef", "عارف|Arif/Aref", "ادریس|Idris/Edris",
	"الیاس|Ilyas/Elyas/Ilias", "صدیق|Siddiq/Sediq", "طاهر|Tahir/Taher", "گل احمد|Gul Ahmad/Gulahmad",
	"غلام سخی|Ghulam Sakhi/Gholam Sakhi",
)

var afghanFemale = n(
	"فاطمه|Fatima/Fatema/Fatemeh", "زهرا|Zahra", "مریم|Maryam/Mariam", "شبنم|Shabnam", "پروین|Parwin/Parveen",
	"فریده|Farida/Faride", "نازنین|Nazanin", "زینب|Zainab/Zeinab", "سمیه|Somaya/Sumaya", "ملاله|Malala",
	"گلالۍ|Gulalai/Gulalay", "رقیه|Ruqia/Roqia",
)

var afghanFamily = n(
	"احمدی|Ahmadi", "محمدی|Mohammadi/Muhammadi", "حسینی|Hussaini/Hosseini/Husaini", "رحیمی|Rahimi", "کریمی|Karimi",
	"نظری|Nazari", "هاشمی|Hashimi/Hashemi", "حیدری|Haidari/Heydari/Haideri", "رضایی|Rezaei/Rezai", "جعفری|Jafari/Jaafari",
	"قاسمی|Qasimi/Ghasemi", "نوری|Noori/Nuri", "امیری|Amiri", "عزیزی|Azizi", "ستانکزی|Stanikzai/Stanekzai",
	"پوپل|Popal", "وردک|Wardak", "سلطانی|Sultani/Soltani", "اکبری|Akbari", "نیازی|Niazi/Niyazi",
	"شینواری|Shinwari/Shinwary", "مومند|Momand/Mohmand", "صافی|Safi", "احمدزی|Ahmadzai", "یوسفزی|Yousafzai/Yusufzai",
	"زازی|Zazai", "نورزی|Noorzai/Nurzai", "رسولی|Rasuli/Rasouli", "صدیقی|Siddiqui/Sediqi", "ابراهیمی|Ibrahimi/Ebrahimi",
)

var arabicMale = n(
	"محمد|Mohammed/Mohamed/Mohammad/Muhammad", "أحمد|Ahmed/Ahmad", "علي|Ali", "عمر|Omar/Umar", "خالد|Khaled/Khalid",
	"يوسف|Youssef/Yousef/Yusuf", "إبراهيم|Ibrahim/Ebrahim", "مصطفى|Mustafa/Moustafa", "محمود|Mahmoud/Mahmud",
	"حسن|Hassan/Hasan", "حسين|Hussein/Husein/Hussain", "عبد الرحمن|Abdulrahman/Abdul Rahman/Abd al-Rahman/Abdelrahman",
	"عبد الله|Abdullah/Abdallah", "أنس|Anas", "حمزة|Hamza/Hamzah", "سامر|Samer", "باسل|Basel/Basil", "رامي|Rami/Ramy",
	"طارق|Tariq/Tarek", "وليد|Walid/Waleed", "زيد|Zaid/Zeid", "معاذ|Muaz/Moaz/Muadh", "ياسين|Yassin/Yasin",
	"كريم|Karim/Kareem", "جمال|Jamal", "عمار|Ammar", "قاسم|Qasim/Kassem", "مراد|Murad/Mourad",
)

var arabicFemale = n(
	"فاطمة|Fatima/Fatma", "عائشة|Aisha/Aysha", "مريم|Mariam/Maryam", "نور|Nour/Noor", "سارة|Sara/Sarah",
	"هدى|Huda/Hoda", "رنا|Rana", "لين|Leen/Lin", "آية|Aya/Ayah", "سلمى|Salma",
)

var levantFamily = n(
	"الحسن|Al-Hassan/Alhassan/Al Hassan", "الأحمد|Al-Ahmad/Al Ahmad", "الخطيب|Al-Khatib/Alkhatib/Khatib",
	"حداد|Haddad/Hadad", "العلي|Al-Ali/Alali", "الحمود|Al-Hamoud/Al Hammoud", "السيد|Al-Sayed/El-Sayed",
	"عبد الله|Abdullah/Abdallah", "الشامي|Al-Shami/Alshami", "حمدان|Hamdan", "يوسف|Youssef/Yousef", "إبراهيم|Ibrahim",
	"عثمان|Othman/Osman", "صالح|Saleh/Salih", "درويش|Darwish/Darwich", "شحادة|Shehadeh/Shehada", "الحموي|Al-Hamwi/Hamwi",
	"خليل|Khalil", "نجار|Najjar/Najar",
)

var iraqFamily = n(
	"الجبوري|Al-Jubouri/Aljabouri/Al Jaburi", "العبيدي|Al-Obaidi/Alobaidi", "الدليمي|Al-Dulaimi/Aldulaimi",
	"كاظم|Kadhim/Kazem/Kazim", "عباس|Abbas", "جاسم|Jasim/Jassim", "حسين|Hussein/Hussain", "علي|Ali",
	"التميمي|Al-Tamimi/Altamimi", "الساعدي|Al-Saadi/Alsaadi", "محمد|Mohammed/Mohamed", "صالح|Saleh/Salih",
)

var egyptFamily = n(
	"عبد العزيز|Abdelaziz/Abdel Aziz/Abdulaziz", "محمود|Mahmoud/Mahmud", "السيد|El-Sayed/Elsayed", "حسن|Hassan",
	"جمال|Gamal/Jamal", "مصطفى|Mostafa/Moustafa/Mustafa", "إبراهيم|Ibrahim", "المصري|El-Masry/Elmasry/Al-Masri",
	"عبد الحميد|Abdelhamid/Abdel Hamid", "فتحي|Fathy/Fathi", "سعيد|Saeed/Said", "رمضان|Ramadan/Ramadhan",
)

var maghrebMale = n(
	"محمد|Mohamed/Mohammed", "يوسف|Youssef/Youcef", "ياسين|Yassine/Yacine", "أيوب|Ayoub/Ayoube", "أمين|Amine/Amin",
	"حمزة|Hamza", "عبد الرحيم|Abderrahim/Abdelrahim", "عبد الرحمن|Abderrahmane/Abdelrahman", "أشرف|Achraf/Ashraf",
	"إلياس|Ilyas/Ilias", "زكرياء|Zakaria/Zakariya", "بلال|Bilal", "أنس|Anas", "مهدي|Mehdi", "رضا|Reda/Ridha",
	"سفيان|Soufiane/Sofiane", "وليد|Walid", "نصر الدين|Nasreddine/Nasr Eddine", "عادل|Adel", "كريم|Karim",
	"إسماعيل|Ismail/Smail", "عمر|Omar",
)

var maghrebFemale = n(
	"فاطمة|Fatima/Fatma", "مريم|Meryem/Maryam", "خديجة|Khadija/Khadidja", "سلمى|Salma", "إيمان|Imane/Iman",
	"شيماء|Chaimae/Chaima/Shaima", "هاجر|Hajar/Hadjer",
)

var maghrebFamily = n(
	"العمراني|El Amrani/Amrani", "بنعلي|Benali/Ben Ali", "بلقاسم|Belkacem/Belkasem", "بوزيد|Bouzid",
	"بنكيران|Benkirane/Benkiran", "المنصوري|El Mansouri/Mansouri", "الإدريسي|El Idrissi/Idrissi", "بوضياف|Boudiaf",
	"حداد|Haddad", "الشرقاوي|Cherkaoui/Charqawi", "الطاهري|Taheri/El Tahiri", "زروال|Zeroual", "بن صالح|Ben Salah/Bensalah",
	"مزيان|Meziane", "العلوي|Alaoui/El Alaoui", "بنسعيد|Bensaid/Ben Said", "الفاسي|El Fassi/Fassi", "ساسي|Sassi",
	"الطرابلسي|Trabelsi/Tarabulsi",
)

var pakistanMale = n(
	"محمد|Muhammad/Mohammad/Mohammed", "علی|Ali", "عمران|Imran", "عثمان|Usman/Osman", "بلال|Bilal", "حمزہ|Hamza",
	"عمر|Umar/Omar", "زین|Zain", "شاہزیب|Shahzaib/Shahzeb", "احمد|Ahmad/Ahmed", "عبداللہ|Abdullah", "فیصل|Faisal/Faysal",
	"حسن|Hassan/Hasan", "وقاص|Waqas", "عاطف|Atif", "ارسلان|Arsalan", "دانیال|Danial/Daniyal", "ثاقب|Saqib/Saquib",
	"شعیب|Shoaib/Shoeb", "عرفان|Irfan",
)

var pakistanFemale = n(
	"عائشہ|Ayesha/Aisha", "فاطمہ|Fatima", "زینب|Zainab", "مریم|Maryam", "اقصیٰ|Aqsa", "صبا|Saba", "حنا|Hina", "اسماء|Asma",
)

var pakistanFamily = n(
	"خان|Khan", "احمد|Ahmed/Ahmad", "چوہدری|Chaudhry/Chaudhary/Chowdhury", "بٹ|Butt/Bhatt", "ملک|Malik",
	"قریشی|Qureshi/Qureshy", "شیخ|Sheikh/Shaikh", "راجپوت|Rajput", "اعوان|Awan", "صدیقی|Siddiqui", "انصاری|Ansari",
	"مرزا|Mirza", "غنی|Ghani", "اقبال|Iqbal", "حسین|Hussain/Hussein",
)

var bengaliMale = n(
	"রাকিবুল|Rakibul", "শফিকুল|Shafiqul/Shafikul", "মিজানুর|Mizanur", "হাসান|Hasan/Hassan", "সুমন|Sumon/Shumon",
	"রাসেল|Rasel/Russel", "আরিফ|Arif", "সাকিব|Sakib/Shakib", "জাহিদ|Jahid/Zahid", "তানভীর|Tanvir/Tanveer",
	"রুবেল|Rubel", "ইমরান|Imran", "কামরুল|Kamrul", "নাঈম|Naim/Nayeem", "রিয়াদ|Riyad/Riad", "শাহাদাত|Shahadat",
	"মোহাম্মদ|Mohammad/Muhammad",
)

var bengaliFemale = n(
	"ফাতেমা|Fatema/Fatima", "সুমাইয়া|Sumaiya/Sumaya", "নুসরাত|Nusrat", "তাসলিমা|Taslima", "রুমানা|Rumana",
)

var bengaliFamily = n(
	"ইসলাম|Islam", "হোসেন|Hossain/Hossen/Hussain", "রহমান|Rahman/Rahaman", "আহমেদ|Ahmed", "উদ্দিন|Uddin",
	"মিয়া|Mia/Miah/Miya", "চৌধুরী|Chowdhury/Choudhury", "খান|Khan", "আলম|Alam", "সরকার|Sarker/Sarkar",
	"মোল্লা|Molla/Mollah", "শেখ|Sheikh/Shekh",
)

var kurdishMale = n(
	"ئازاد|Azad", "ڕێباز|Rebaz/Rebas", "شێرکۆ|Sherko/Shirko", "هەژار|Hazhar/Hezhar/Hejar", "کاروان|Karwan",
	"دیار|Diyar/Dyar", "ئاراس|Aras", "بەرزان|Barzan", "هێمن|Hemin/Hemn", "سۆران|Soran", "ئاکۆ|Ako", "ڕێبوار|Rebwar",
)

var kurdishFemale = n("ژیلا|Zhila/Jila", "شیلان|Shilan", "ڤیان|Vian/Viyan", "ڕۆژان|Rozhan/Rojan", "هێڤی|Hevi/Hevy")

var kurdishFamily = n(
	"بارزانی|Barzani", "تاڵەبانی|Talabani/Talebani", "محەمەد|Mohammed/Muhammad", "ئەحمەد|Ahmed/Ahmad", "عەلی|Ali",
	"کەریم|Karim/Kareem", "مەحموود|Mahmood/Mahmoud", "حەسەن|Hasan/Hassan", "عوسمان|Osman/Othman",
	"ڕەشید|Rashid/Rasheed", "سەعید|Saeed/Said",
)

var turkishMale = n(
	"Mehmet/Mehmed", "Ahmet/Ahmed", "Mustafa", "Emre", "Yusuf/Jusuf", "Murat/Murad", "Hüseyin/Huseyin/Husein",
	"Ömer/Omer", "Burak", "Eren", "Kerem", "Enes", "Furkan", "Hasan", "İbrahim/Ibrahim",
)

var turkishFemale = n("Zeynep/Zeinep", "Elif", "Ayşe/Ayse/Aishe", "Fatma", "Gül/Gul", "Berfin", "Merve", "Esra")

var turkishFamily = n(
	"Yılmaz/Yilmaz", "Kaya", "Demir", "Şahin/Sahin/Shahin", "Çelik/Celik", "Yıldız/Yildiz", "Aydın/Aydin",
	"Öztürk/Ozturk", "Arslan/Aslan", "Doğan/Dogan", "Kılıç/Kilic", "Aslan", "Özdemir/Ozdemir", "Koç/Koc",
)

var ukrainianMale = n(
	"Олександр|Oleksandr/Aleksandr/Alexander", "Андрій|Andrii/Andriy/Andrey", "Дмитро|Dmytro/Dmitro/Dmitriy",
	"Максим|Maksym/Maxim", "Артем|Artem/Artyom", "Богдан|Bohdan/Bogdan", "Владислав|Vladyslav/Vladislav",
	"Іван|Ivan", "Микола|Mykola/Nikolai", "Сергій|Serhii/Serhiy/Sergey", "Денис|Denys/Denis", "Назар|Nazar",
)

var ukrainianFemale = n(
	"Анна|Anna/Hanna", "Софія|Sofiia/Sofia", "Марія|Mariia/Maria", "Дарина|Daryna/Darina",
	"Вікторія|Viktoriia/Viktoria", "Олена|Olena/Elena", "Юлія|Yuliia/Yulia",
)

var ukrainianFamily = n(
	"Шевченко|Shevchenko", "Коваленко|Kovalenko", "Бондаренко|Bondarenko", "Ткаченко|Tkachenko", "Кравченко|Kravchenko",
	"Мельник|Melnyk/Melnik", "Олійник|Oliinyk/Oliynyk", "Шевчук|Shevchuk", "Поліщук|Polishchuk", "Бойко|Boiko/Boyko",
	"Коваль|Koval", "Лисенко|Lysenko/Lisenko",
)

var eritreanMale = n(
	"ዳዊት|Dawit", "ዮናስ|Yonas", "ቢኒያም|Biniam/Biniyam", "ተስፋልደት|Tesfaldet", "ሚካኤል|Mikael/Michael", "ሰሎሞን|Solomon",
	"ሄኖክ|Henok", "ፊልሞን|Filmon/Filimon", "ያፌት|Yafet", "ኣማኑኤል|Amanuel/Emmanuel", "ሳምሶን|Samson", "ኪዳነ|Kidane",
)

var eritreanFemale = n("ሰላም|Selam/Salam", "ሊድያ|Lidya/Lydia", "ሄለን|Helen", "ሳባ|Saba", "ሚልካ|Milka", "ሩታ|Ruta")

var eritreanFamily = n(
	"ተስፋይ|Tesfay/Tesfai", "ተኽለ|Tekle/Teklay", "ገብረማርያም|Gebremariam/Gebre Mariam", "ሃይለ|Haile/Hayle", "ክፍለ|Kifle",
	"ወልደ|Welde/Wolde", "ብርሃነ|Berhane/Birhane", "ኣብርሃም|Abraham", "ገብረሂወት|Gebrehiwet", "መሓሪ|Mehari",
)

var somaliMale = n(
	"Abdirahman/Abdurahman/Abdirahmaan", "Mohamed/Mohammed", "Ahmed", "Abdi", "Abdullahi", "Hassan", "Ali",
	"Yusuf/Yuusuf", "Omar/Cumar", "Ismail/Ismaaciil", "Abdikarim", "Mustafe", "Khalid",
)

var somaliFemale = n("Hodan", "Fadumo/Fadum", "Amina/Aamina", "Asha", "Hamdi", "Sahra", "Ayan", "Nimco/Nimo")

var somaliFamily = n(
	"Warsame", "Mohamed/Mohammed", "Ahmed", "Abdi", "Hassan", "Omar", "Farah", "Jama", "Yusuf", "Ali", "Osman", "Hussein", "Nur/Nuur",
)

// origins are the route's nationalities, weighted by how often their children arrive.
var origins = []origin{
	{nationality: "AF", weight: 27, scriptShare: 0.35, noFamily: 0.2, male: afghanMale, female: afghanFemale, family: afghanFamily,
		languages: []weighted[string]{{"fa-AF", 75}, {"ps", 40}, {"en", 8}}, documentTypes: []string{"tazkira", "passport", "asylum_card"}},
	{nationality: "SY", weight: 13, scriptShare: 0.45, noFamily: 0.05, male: arabicMale, female: arabicFemale, family: levantFamily,
		languages: []weighted[string]{{"ar", 100}, {"kmr", 12}, {"en", 10}, {"tr", 8}}, documentTypes: []string{"national_id", "passport", "birth_certificate"}, airport: 0.05},
	{nationality: "PK", weight: 10, scriptShare: 0.3, noFamily: 0.15, male: pakistanMale, female: pakistanFemale, family: pakistanFamily,
		languages: []weighted[string]{{"ur", 100}, {"pa", 30}, {"en", 25}}, documentTypes: []string{"national_id", "passport"}, airport: 0.05},
	{nationality: "BD", weight: 8, scriptShare: 0.3, noFamily: 0.05, male: bengaliMale, female: bengaliFemale, family: bengaliFamily,
		languages: []weighted[string]{{"bn", 100}, {"en", 15}}, documentTypes: []string{"birth_certificate", "passport"}, airport: 0.1},
	{nationality: "IQ", weight: 4, scriptShare: 0.45, noFamily: 0.05, male: arabicMale, female: arabicFemale, family: iraqFamily,
		languages: []weighted[string]{{"ar", 100}, {"en", 10}}, documentTypes: []string{"national_id", "passport"}, airport: 0.1},
	{nationality: "IQ", weight: 4, scriptShare: 0.35, noFamily: 0.05, male: kurdishMale, female: kurdishFemale, family: kurdishFamily,
		languages: []weighted[string]{{"ckb", 100}, {"ar", 40}, {"en", 10}}, documentTypes: []string{"national_id", "passport"}, airport: 0.1},
	{nationality: "MA", weight: 8, scriptShare: 0.15, noFamily: 0.02, male: maghrebMale, female: maghrebFemale, family: maghrebFamily,
		languages: []weighted[string]{{"ar", 100}, {"fr", 55}}, documentTypes: []string{"national_id", "passport"}, airport: 0.1},
	{nationality: "DZ", weight: 5, scriptShare: 0.15, noFamily: 0.02, male: maghrebMale, female: maghrebFemale, family: maghrebFamily,
		languages: []weighted[string]{{"ar", 100}, {"fr", 60}}, documentTypes: []string{"national_id", "passport"}, airport: 0.1},
	{nationality: "EG", weight: 5, scriptShare: 0.4, noFamily: 0.02, male: arabicMale, female: arabicFemale, family: egyptFamily,
		languages: []weighted[string]{{"ar", 100}, {"en", 15}}, documentTypes: []string{"national_id", "passport"}, airport: 0.3},
	{nationality: "TR", weight: 4, scriptShare: 0, noFamily: 0.01, male: turkishMale, female: turkishFemale, family: turkishFamily,
		languages: []weighted[string]{{"tr", 100}, {"kmr", 20}, {"en", 10}}, documentTypes: []string{"national_id", "passport"}, airport: 0.4},
	{nationality: "UA", weight: 3, scriptShare: 0.6, noFamily: 0, male: ukrainianMale, female: ukrainianFemale, family: ukrainianFamily,
		languages: []weighted[string]{{"uk", 100}, {"ru", 30}, {"en", 15}}, documentTypes: []string{"passport", "birth_certificate"}, airport: 0.5},
	{nationality: "ER", weight: 3, scriptShare: 0.25, noFamily: 0.02, male: eritreanMale, female: eritreanFemale, family: eritreanFamily,
		languages: []weighted[string]{{"ti", 100}, {"ar", 15}, {"en", 15}}, documentTypes: []string{"other"}},
	{nationality: "SO", weight: 3, scriptShare: 0, noFamily: 0.02, male: somaliMale, female: somaliFemale, family: somaliFamily,
		languages: []weighted[string]{{"so", 100}, {"ar", 20}, {"en", 10}}, documentTypes: []string{"other"}},
	{nationality: "IR", weight: 1, scriptShare: 0.5, noFamily: 0.02, male: afghanMale, female: afghanFemale, family: afghanFamily,
		languages: []weighted[string]{{"fa", 100}, {"en", 15}}, documentTypes: []string{"passport", "national_id"}, airport: 0.3},
}
