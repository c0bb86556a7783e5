"""Reference data seeded by migration: sectors, regions, capabilities.

Plain tuples (no model imports) so that data migrations can use them with frozen models.
"""

SECTORS = [
    # slug, name, Japanese name, description
    (
        "semiconductors",
        "Semiconductors (incl. OSAT/ATMP)",
        "半導体(OSAT/ATMPを含む)",
        "Chip design, fabrication, outsourced assembly and test, packaging",
    ),
    (
        "electric-vehicles",
        "Electric vehicles and mobility components",
        "電気自動車・モビリティ部品",
        "EV drivetrains, batteries, charging, two- and three-wheelers, auto components",
    ),
    (
        "pharmaceuticals",
        "Pharmaceuticals",
        "医薬品",
        "APIs, generics, formulations, contract research",
    ),
    ("medical-devices", "Medical devices and healthcare", "医療機器・ヘルスケア", ""),
    ("clean-energy", "Clean energy", "クリーンエネルギー", "Solar, wind, green hydrogen, storage"),
    ("defence", "Defence and aerospace", "防衛・航空宇宙", ""),
    ("food-processing", "Food processing", "食品加工", "Processing, cold chain, packaging"),
    ("poultry", "Poultry", "養鶏", "Broiler and layer farming, feed, processing"),
    ("tea", "Tea", "茶", "Plantations, processing, blending, export"),
    ("horticulture", "Horticulture", "園芸", "Fruit, vegetables, floriculture"),
    ("organic-farming", "Organic farming", "有機農業", ""),
    ("bamboo", "Bamboo products", "竹製品", "Bamboo value chains: materials, furniture, fibre"),
    (
        "precision-manufacturing",
        "Precision manufacturing",
        "精密加工",
        "Machining, moulds and dies, CNC, metrology",
    ),
    ("it-iot", "IT, IoT and data analytics", "IT・IoT・データ分析", ""),
    ("robotics", "Robotics and factory automation", "ロボット・FA", ""),
    ("textiles", "Textiles and apparel", "繊維・アパレル", ""),
    ("chemicals", "Chemicals and materials", "化学・素材", ""),
    ("logistics", "Logistics and supply chain", "物流・サプライチェーン", ""),
    ("water", "Water and environment", "水・環境", "Water treatment, waste management, recycling"),
    ("construction", "Construction and infrastructure", "建設・インフラ", ""),
    ("tourism", "Tourism and hospitality", "観光・ホスピタリティ", ""),
    ("fintech", "Fintech", "フィンテック", ""),
    ("education", "Education and skills", "教育・人材育成", ""),
]

CAPABILITIES = [
    ("technology-transfer", "Technology transfer", "技術移転"),
    ("co-development", "Co-development", "共同開発"),
    ("joint-venture", "Joint venture", "合弁事業"),
    ("distribution", "Distribution and sales partnership", "販売・流通提携"),
    ("investment", "Investment", "投資"),
    ("contract-manufacturing", "Contract manufacturing", "受託製造"),
    ("licensing", "Licensing", "ライセンス"),
    ("sourcing", "Sourcing and procurement", "調達"),
    ("research", "Joint research", "共同研究"),
    ("talent", "Talent and training exchange", "人材交流・研修"),
]

NORTH_EAST = {"IN-AR", "IN-AS", "IN-MN", "IN-ML", "IN-MZ", "IN-NL", "IN-SK", "IN-TR"}

INDIAN_STATES = [
    ("IN-AP", "Andhra Pradesh", "アーンドラ・プラデーシュ州"),
    ("IN-AR", "Arunachal Pradesh", "アルナーチャル・プラデーシュ州"),
    ("IN-AS", "Assam", "アッサム州"),
    ("IN-BR", "Bihar", "ビハール州"),
    ("IN-CT", "Chhattisgarh", "チャッティースガル州"),
    ("IN-GA", "Goa", "ゴア州"),
    ("IN-GJ", "Gujarat", "グジャラート州"),
    ("IN-HR", "Haryana", "ハリヤーナー州"),
    ("IN-HP", "Himachal Pradesh", "ヒマーチャル・プラデーシュ州"),
    ("IN-JH", "Jharkhand", "ジャールカンド州"),
    ("IN-KA", "Karnataka", "カルナータカ州"),
    ("IN-KL", "Kerala", "ケーララ州"),
    ("IN-MP", "Madhya Pradesh", "マディヤ・プラデーシュ州"),
    ("IN-MH", "Maharashtra", "マハーラーシュトラ州"),
    ("IN-MN", "Manipur", "マニプル州"),
    ("IN-ML", "Meghalaya", "メーガーラヤ州"),
    ("IN-MZ", "Mizoram", "ミゾラム州"),
    ("IN-NL", "Nagaland", "ナガランド州"),
    ("IN-OR", "Odisha", "オディシャ州"),
    ("IN-PB", "Punjab", "パンジャーブ州"),
    ("IN-RJ", "Rajasthan", "ラージャスターン州"),
    ("IN-SK", "Sikkim", "シッキム州"),
    ("IN-TN", "Tamil Nadu", "タミル・ナードゥ州"),
    ("IN-TG", "Telangana", "テランガーナ州"),
    ("IN-TR", "Tripura", "トリプラ州"),
    ("IN-UP", "Uttar Pradesh", "ウッタル・プラデーシュ州"),
    ("IN-UT", "Uttarakhand", "ウッタラーカンド州"),
    ("IN-WB", "West Bengal", "西ベンガル州"),
]

INDIAN_UNION_TERRITORIES = [
    ("IN-AN", "Andaman and Nicobar Islands", "アンダマン・ニコバル諸島"),
    ("IN-CH", "Chandigarh", "チャンディーガル"),
    (
        "IN-DH",
        "Dadra and Nagar Haveli and Daman and Diu",
        "ダードラー及びナガル・ハヴェーリー及びダマン・ディーウ",
    ),
    ("IN-DL", "Delhi", "デリー"),
    ("IN-JK", "Jammu and Kashmir", "ジャンムー・カシミール"),
    ("IN-LA", "Ladakh", "ラダック"),
    ("IN-LD", "Lakshadweep", "ラクシャドウィープ"),
    ("IN-PY", "Puducherry", "プドゥチェリー"),
]

JAPANESE_PREFECTURES = [
    ("JP-01", "Hokkaido", "北海道"),
    ("JP-02", "Aomori", "青森県"),
    ("JP-03", "Iwate", "岩手県"),
    ("JP-04", "Miyagi", "宮城県"),
    ("JP-05", "Akita", "秋田県"),
    ("JP-06", "Yamagata", "山形県"),
    ("JP-07", "Fukushima", "福島県"),
    ("JP-08", "Ibaraki", "茨城県"),
    ("JP-09", "Tochigi", "栃木県"),
    ("JP-10", "Gunma", "群馬県"),
    ("JP-11", "Saitama", "埼玉県"),
    ("JP-12", "Chiba", "千葉県"),
    ("JP-13", "Tokyo", "東京都"),
    ("JP-14", "Kanagawa", "神奈川県"),
    ("JP-15", "Niigata", "新潟県"),
    ("JP-16", "Toyama", "富山県"),
    ("JP-17", "Ishikawa", "石川県"),
    ("JP-18", "Fukui", "福井県"),
    ("JP-19", "Yamanashi", "山梨県"),
    ("JP-20", "Nagano", "長野県"),
    ("JP-21", "Gifu", "岐阜県"),
    ("JP-22", "Shizuoka", "静岡県"),
    ("JP-23", "Aichi", "愛知県"),
    ("JP-24", "Mie", "三重県"),
    ("JP-25", "Shiga", "滋賀県"),
    ("JP-26", "Kyoto", "京都府"),
    ("JP-27", "Osaka", "大阪府"),
    ("JP-28", "Hyogo", "兵庫県"),
    ("JP-29", "Nara", "奈良県"),
    ("JP-30", "Wakayama", "和歌山県"),
    ("JP-31", "Tottori", "鳥取県"),
    ("JP-32", "Shimane", "島根県"),
    ("JP-33", "Okayama", "岡山県"),
    ("JP-34", "Hiroshima", "広島県"),
    ("JP-35", "Yamaguchi", "山口県"),
    ("JP-36", "Tokushima", "徳島県"),
    ("JP-37", "Kagawa", "香川県"),
    ("JP-38", "Ehime", "愛媛県"),
    ("JP-39", "Kochi", "高知県"),
    ("JP-40", "Fukuoka", "福岡県"),
    ("JP-41", "Saga", "佐賀県"),
    ("JP-42", "Nagasaki", "長崎県"),
    ("JP-43", "Kumamoto", "熊本県"),
    ("JP-44", "Oita", "大分県"),
    ("JP-45", "Miyazaki", "宮崎県"),
    ("JP-46", "Kagoshima", "鹿児島県"),
    ("JP-47", "Okinawa", "沖縄県"),
]


def regions():
    """(code, country, kind, name, name_ja, is_north_east) for every region."""
    for code, name, name_ja in INDIAN_STATES:
        yield code, "IN", "state", name, name_ja, code in NORTH_EAST
    for code, name, name_ja in INDIAN_UNION_TERRITORIES:
        yield code, "IN", "union_territory", name, name_ja, False
    for code, name, name_ja in JAPANESE_PREFECTURES:
        yield code, "JP", "prefecture", name, name_ja, False


def seed(apps) -> None:
    """Create or refresh the reference rows (idempotent); used by migrations and tests."""
    Sector = apps.get_model("members", "Sector")
    Region = apps.get_model("members", "Region")
    Capability = apps.get_model("members", "Capability")
    for slug, name, name_ja, description in SECTORS:
        Sector.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_ja": name_ja, "description": description}
        )
    for slug, name, name_ja in CAPABILITIES:
        Capability.objects.update_or_create(slug=slug, defaults={"name": name, "name_ja": name_ja})
    for code, country, kind, name, name_ja, north_east in regions():
        Region.objects.update_or_create(
            code=code,
            defaults={
                "country": country,
                "kind": kind,
                "name": name,
                "name_ja": name_ja,
                "is_north_east": north_east,
            },
        )
