# Japanese dates: "2025年11月21日", "2025年11月21日 10:00".
DATE_FORMAT = "Y年m月d日"
DATETIME_FORMAT = "Y年m月d日 H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "m月d日"
SHORT_DATETIME_FORMAT = "m月d日 H:i"
