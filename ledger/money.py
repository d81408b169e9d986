"""Currencies (ISO 4217) and exact integer money in minor units."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import func

# code, minor-unit exponent, name — the active ISO 4217 currencies.
_TABLE = """
AED 2 UAE Dirham|AFN 2 Afghani|ALL 2 Lek|AMD 2 Armenian Dram|ANG 2 Netherlands Antillean Guilder
AOA 2 Kwanza|ARS 2 Argentine Peso|AUD 2 Australian Dollar|AWG 2 Aruban Florin|AZN 2 Azerbaijan Manat
BAM 2 Convertible Mark|BBD 2 Barbados Dollar|BDT 2 Taka|BGN 2 Bulgarian Lev|BHD 3 Bahraini Dinar
BIF 0 Burundi Franc|BMD 2 Bermudian Dollar|BND 2 Brunei Dollar|BOB 2 Boliviano|BRL 2 Brazilian Real
BSD 2 Bahamian Dollar|BTN 2 Ngultrum|BWP 2 Pula|BYN 2 Belarusian Ruble|BZD 2 Belize Dollar
CAD 2 Canadian Dollar|CDF 2 Congolese Franc|CHF 2 Swiss Franc|CLP 0 Chilean Peso|CNY 2 Yuan Renminbi
COP 2 Colombian Peso|CRC 2 Costa Rican Colon|CUP 2 Cuban Peso|CVE 2 Cabo Verde Escudo|CZK 2 Czech Koruna
DJF 0 Djibouti Franc|DKK 2 Danish Krone|DOP 2 Dominican Peso|DZD 2 Algerian Dinar|EGP 2 Egyptian Pound
ERN 2 Nakfa|ETB 2 Ethiopian Birr|EUR 2 Euro|FJD 2 Fiji Dollar|FKP 2 Falkland Islands Pound
GBP 2 Pound Sterling|GEL 2 Lari|GHS 2 Ghana Cedi|GIP 2 Gibraltar Pound|GMD 2 Dalasi|GNF 0 Guinean Franc
GTQ 2 Quetzal|GYD 2 Guyana Dollar|HKD 2 Hong Kong Dollar|HNL 2 Lempira|HTG 2 Gourde|HUF 2 Forint
IDR 2 Rupiah|ILS 2 New Israeli Sheqel|INR 2 Indian Rupee|IQD 3 Iraqi Dinar|IRR 2 Iranian Rial
ISK 0 Iceland Krona|JMD 2 Jamaican Dollar|JOD 3 Jordanian Dinar|JPY 0 Yen|KES 2 Kenyan Shilling
KGS 2 Som|KHR 2 Riel|KMF 0 Comorian Franc|KPW 2 North Korean Won|KRW 0 Won|KWD 3 Kuwaiti Dinar
KYD 2 Cayman Islands Dollar|KZT 2 Tenge|LAK 2 Lao Kip|LBP 2 Lebanese Pound|LKR 2 Sri Lanka Rupee
LRD 2 Liberian Dollar|LSL 2 Loti|LYD 3 Libyan Dinar|MAD 2 Moroccan Dirham|MDL 2 Moldovan Leu
MGA 2 Malagasy Ariary|MKD 2 Denar|MMK 2 Kyat|MNT 2 Tugrik|MOP 2 Pataca|MRU 2 Ouguiya|MUR 2 Mauritius Rupee
MVR 2 Rufiyaa|MWK 2 Malawi Kwacha|MXN 2 Mexican Peso|MYR 2 Malaysian Ringgit|MZN 2 Mozambique Metical
NAD 2 Namibia Dollar|NGN 2 Naira|NIO 2 Cordoba Oro|NOK 2 Norwegian Krone|NPR 2 Nepalese Rupee
NZD 2 New Zealand Dollar|OMR 3 Rial Omani|PAB 2 Balboa|PEN 2 Sol|PGK 2 Kina|PHP 2 Philippine Peso
PKR 2 Pakistan Rupee|PLN 2 Zloty|PYG 0 Guarani|QAR 2 Qatari Rial|RON 2 Romanian Leu|RSD 2 Serbian Dinar
RUB 2 Russian Ruble|RWF 0 Rwanda Franc|SAR 2 Saudi Riyal|SBD 2 Solomon Islands Dollar|SCR 2 Seychelles Rupee
SDG 2 Sudanese Pound|SEK 2 Swedish Krona|SGD 2 Singapore Dollar|SHP 2 Saint Helena Pound|SLE 2 Leone
SOS 2 Somali Shilling|SRD 2 Surinam Dollar|SSP 2 South Sudanese Pound|STN 2 Dobra|SVC 2 El Salvador Colon
SYP 2 Syrian Pound|SZL 2 Lilangeni|THB 2 Baht|TJS 2 Somoni|TMT 2 Turkmenistan New Manat|TND 3 Tunisian Dinar
TOP 2 Pa'anga|TRY 2 Turkish Lira|TTD 2 Trinidad and Tobago Dollar|TWD 2 New Taiwan Dollar
TZS 2 Tanzanian Shilling|UAH 2 Hryvnia|UGX 0 Uganda Shilling|USD 2 US Dollar|UYU 2 Peso Uruguayo
UYW 4 Unidad Previsional|UZS 2 Uzbekistan Sum|VED 2 Bolivar Soberano|VES 2 Bolivar Soberano|VND 0 Dong
VUV 0 Vatu|WST 2 Tala|XAF 0 CFA Franc BEAC|XCD 2 East Caribbean Dollar|XOF 0 CFA Franc BCEAO
XPF 0 CFP Franc|YER 2 Yemeni Rial|ZAR 2 Rand|ZMW 2 Zambian Kwacha|ZWG 2 Zimbabwe Gold
"""

CURRENCIES: dict[str, tuple[int, str]] = {}
for _item in _TABLE.strip().replace("\n", "|").split("|"):
    _code, _exp, _name = _item.strip().split(" ", 2)
    CURRENCIES[_code] = (int(_exp), _name)

# The largest amount the API takes or sends, in minor units: 2^53-1, the largest integer a JavaScript number
# holds exactly. It bounds every amount written (entries, budgets, opening balances) and, through
# ledger.ledgers.totals, every total read (balances, reports, budgets).
MAX_AMOUNT = 2**53 - 1
_AMOUNT_TEXT = re.compile(r"[1-9][0-9]*")


def parse_amount(text: str) -> int:
    """An amount written as text (a CSV cell): ASCII digits only, 1..MAX_AMOUNT; ValueError otherwise.

    Digits only: "12.5", "1e3", "0", "-5", "+5" and " 12" are all refused, as a JSON amount would be.
    """
    if not _AMOUNT_TEXT.fullmatch(text) or len(text) > len(str(MAX_AMOUNT)) or int(text) > MAX_AMOUNT:
        raise ValueError(f"Must be an integer of minor units from 1 to {MAX_AMOUNT} (digits only).")
    return int(text)


def is_known(code: str) -> bool:
    return code in CURRENCIES


def exponent(code: str) -> int:
    return CURRENCIES[code][0]


def currency_list() -> list[dict]:
    return [{"code": code, "name": name, "exponent": exp} for code, (exp, name) in sorted(CURRENCIES.items())]


# Sums are taken in two parts, amount // 2^32 and amount % 2^32: SQLite's SUM raises "integer overflow"
# past 2^63 (about a thousand maximal amounts), while each part stays within 64 bits for 2^31 entries.
# PostgreSQL would not overflow (SUM(bigint) is NUMERIC), but one portable form keeps the code simple.
_SPLIT = 2**32


def exact_sum(column) -> tuple:
    """SUM(column) as two SQL expressions (high, low) that cannot overflow; join with from_parts."""
    return func.sum(column // _SPLIT), func.sum(column % _SPLIT)


def from_parts(high: int | Decimal | None, low: int | Decimal | None) -> int:
    return as_int(high) * _SPLIT + as_int(low)


def as_int(value: int | Decimal | None) -> int:
    """An SQL SUM as an exact int (PostgreSQL answers SUM(bigint) with a NUMERIC → Decimal)."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        result = int(value)
        if result != value:  # a sum of integers is integral; anything else is a bug, not a rounding
            raise ValueError(f"non-integral sum {value!r}")
        return result
    return int(value)
