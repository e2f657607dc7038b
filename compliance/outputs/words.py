"""Numbers in words, as official letters write counts: "1 (satu)", "12 (twelve)"."""
from __future__ import annotations

_ID = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas"]
_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
       "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def indonesian(n: int) -> str:
    if n < 12:
        return _ID[n]
    if n < 20:
        return f"{_ID[n - 10]} belas"
    if n < 100:
        return f"{_ID[n // 10]} puluh" + (f" {_ID[n % 10]}" if n % 10 else "")
    if n < 200:
        return "seratus" + (f" {indonesian(n - 100)}" if n > 100 else "")
    if n < 1000:
        return f"{_ID[n // 100]} ratus" + (f" {indonesian(n % 100)}" if n % 100 else "")
    if n < 2000:
        return "seribu" + (f" {indonesian(n - 1000)}" if n > 1000 else "")
    for size, word in ((10 ** 9, "miliar"), (10 ** 6, "juta"), (10 ** 3, "ribu")):
        if n >= size:
            rest = n % size
            return f"{indonesian(n // size)} {word}" + (f" {indonesian(rest)}" if rest else "")
    raise ValueError(n)


def english(n: int) -> str:
    if n < 20:
        return _EN[n]
    if n < 100:
        return _EN_TENS[n // 10] + (f"-{_EN[n % 10]}" if n % 10 else "")
    for size, word in ((10 ** 9, "billion"), (10 ** 6, "million"), (10 ** 3, "thousand"), (100, "hundred")):
        if n >= size:
            rest = n % size
            return f"{english(n // size)} {word}" + (f" {english(rest)}" if rest else "")
    raise ValueError(n)


def counted(n: int, lang: str) -> str:
    """`1 (satu)`, `25 (twenty-five)`."""
    return f"{n} ({indonesian(n) if lang == 'id' else english(n)})"
