//! Name pools for seeded users: Japanese, other non-ASCII, plain English, and values that are
//! hostile to CSV/spreadsheet exports and OPATH quoting.

/// (display name part in the native script, romanised part for aliases)
pub type NamePart = (&'static str, &'static str);

pub const JAPANESE_FAMILY: &[NamePart] = &[
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("伊藤", "ito"),
    ("渡辺", "watanabe"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山田", "yamada"),
    ("佐々木", "sasaki"),
    ("山口", "yamaguchi"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
];

pub const JAPANESE_GIVEN: &[NamePart] = &[
    ("太郎", "taro"),
    ("花子", "hanako"),
    ("翔太", "shota"),
    ("陽菜", "hina"),
    ("大輔", "daisuke"),
    ("美咲", "misaki"),
    ("健太", "kenta"),
    ("結衣", "yui"),
    ("拓也", "takuya"),
    ("さくら", "sakura"),
    ("蓮", "ren"),
    ("葵", "aoi"),
    ("ゆうき", "yuki"),
    ("直美", "naomi"),
];

/// (given, family) pairs with their romanisations, from many scripts.
pub const INTERNATIONAL: &[(NamePart, NamePart)] = &[
    (("Jürgen", "jurgen"), ("Groß", "gross")),
    (("Zoë", "zoe"), ("Lefèvre", "lefevre")),
    (("Çağla", "cagla"), ("Yılmaz", "yilmaz")),
    (("Søren", "soren"), ("Kierkegård", "kierkegard")),
    (("Łukasz", "lukasz"), ("Wiśniewski", "wisniewski")),
    (("An", "an"), ("Nguyễn", "nguyen")),
    (("伟", "wei"), ("王", "wang")),
    (("민준", "minjun"), ("김", "kim")),
    (("Олег", "oleg"), ("Иванов", "ivanov")),
    (("José", "jose"), ("Muñoz", "munoz")),
    (("Åsa", "asa"), ("Öberg", "oberg")),
    (("محمد", "mohammed"), ("علي", "ali")),
    (("Δημήτρης", "dimitris"), ("Παπαδόπουλος", "papadopoulos")),
    (("François", "francois"), ("Dupré", "dupre")),
];

pub const ENGLISH: &[(NamePart, NamePart)] = &[
    (("John", "john"), ("Smith", "smith")),
    (("Mary", "mary"), ("Johnson", "johnson")),
    (("Alex", "alex"), ("Wilber", "wilber")),
    (("Megan", "megan"), ("Bowen", "bowen")),
    (("Isaiah", "isaiah"), ("Langer", "langer")),
    (("Lidia", "lidia"), ("Holloway", "holloway")),
    (("Nestor", "nestor"), ("Wilke", "wilke")),
    (("Patti", "patti"), ("Fernandez", "fernandez")),
];

/// Display names that must survive CSV export and OPATH quoting untouched. The second field is
/// the alias stem; apostrophes in it end up in UPNs (legal in Entra) to exercise filter quoting.
pub const HOSTILE: &[(&str, &str)] = &[
    (
        "=HYPERLINK(\"http://example.invalid\",\"click\")",
        "formula.eq",
    ),
    ("+81 Plus Person", "formula.plus"),
    ("-Minus Person", "formula.minus"),
    ("@SUM(1+1) Person", "formula.at"),
    ("O'Brien, Pat", "pat.o'brien"),
    ("Say \"Hi\" Quoteson", "say.quoteson"),
    ("Comma, Carla", "carla.comma"),
    ("Tab\tSeparated Tess", "tess.tab"),
    ("D'Angelo ''Double'' Apostrophe", "d'angelo"),
];

pub const JOB_TITLES: &[&str] = &[
    "営業部長",
    "Software Engineer",
    "Sales Representative",
    "経理担当",
    "Marketing Manager",
    "Help Desk, Tier 1",
];

pub const OFFICES: &[&str] = &["東京本社", "Osaka", "Seattle", "London, UK", "Zürich"];

pub const LANGUAGES: &[&str] = &["ja-JP", "en-US", "de-DE", "fr-FR", "zh-CN", "ko-KR"];
