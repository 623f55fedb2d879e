"""Vietnamese names in realistic proportions (surname shares after published name surveys)."""

from __future__ import annotations

import random

SURNAMES = [
    ("Nguyễn", 38.4),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.1),
    ("Hoàng", 5.1),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đào", 0.5),
    ("Đinh", 0.5),
    ("Lương", 0.4),
    ("Trịnh", 0.4),
    ("Mai", 0.4),
    ("Tạ", 0.3),
    ("Cao", 0.3),
    ("Chu", 0.3),
    ("Lâm", 0.3),
    ("Kiều", 0.2),
    ("Khuất", 0.2),
    ("Quách", 0.2),
]
MIDDLE = {
    "male": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Anh", "Gia", "Tuấn", "Thành", "Bảo", "Đăng", "Hoàng"],
    "female": ["Thị", "Ngọc", "Thu", "Thanh", "Khánh", "Minh", "Phương", "Bảo", "Hải", "Thảo", "Mai", "Diệu"],
}
GIVEN = {
    "male": [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Duy",
        "Đạt",
        "Hiếu",
        "Hoàng",
        "Hùng",
        "Huy",
        "Khang",
        "Khoa",
        "Kiên",
        "Lâm",
        "Long",
        "Minh",
        "Nam",
        "Nghĩa",
        "Phong",
        "Phúc",
        "Quân",
        "Sơn",
        "Tài",
        "Thắng",
        "Thịnh",
        "Trung",
        "Tùng",
        "Việt",
        "Vinh",
        "Vũ",
        "Khôi",
        "Bảo",
        "Đăng",
        "Nhật",
        "Quang",
    ],
    "female": [
        "Anh",
        "Chi",
        "Diệp",
        "Dung",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hoa",
        "Huyền",
        "Hương",
        "Lan",
        "Linh",
        "Loan",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Ngọc",
        "Nhung",
        "Oanh",
        "Phương",
        "Quỳnh",
        "Thảo",
        "Trang",
        "Trâm",
        "Uyên",
        "Vân",
        "Vy",
        "Yến",
        "Hân",
        "Ngân",
        "Nhi",
        "Thư",
        "Tâm",
    ],
}
_SURNAME_NAMES = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]


def person(rng: random.Random, sex: str, family: str | None = None) -> str:
    return f"{family or surname(rng)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
