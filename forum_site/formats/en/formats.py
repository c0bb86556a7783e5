# English dates as the forum writes them: "21 Nov 2025", "21 Nov 2025, 10:00".
DATE_FORMAT = "d M Y"
DATETIME_FORMAT = "d M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d M"
SHORT_DATETIME_FORMAT = "d M, H:i"
