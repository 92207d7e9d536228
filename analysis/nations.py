"""IOC nation codes (current National Olympic Committees plus historical and neutral codes).

Source: the IOC's list of National Olympic Committees, as tabulated in
https://en.wikipedia.org/wiki/List_of_IOC_country_codes (current, historic and special codes).
"""

from __future__ import annotations

_CURRENT = """
AFG ALB ALG AND ANG ANT ARG ARM ARU ASA AUS AUT AZE BAH BAN BAR BDI BEL BEN BER BHU BIH BIZ BLR BOL BOT
BRA BRN BRU BUL BUR CAF CAM CAN CAY CGO CHA CHI CHN CIV CMR COD COK COL COM CPV CRC CRO CUB CYP CZE DEN
DJI DMA DOM ECU EGY ERI ESA ESP EST ETH FIJ FIN FRA FSM GAB GAM GBR GBS GEO GEQ GER GHA GRE GRN GUA GUI
GUM GUY HAI HKG HON HUN INA IND IRI IRL IRQ ISL ISR ISV ITA IVB JAM JOR JPN KAZ KEN KGZ KIR KOR KOS KSA
KUW LAO LAT LBA LBN LBR LCA LES LIE LTU LUX MAD MAR MAS MAW MDA MDV MEX MGL MHL MKD MLI MLT MNE MON MOZ
MRI MTN MYA NAM NCA NED NEP NGR NIG NOR NRU NZL OMA PAK PAN PAR PER PHI PLE PLW PNG POL POR PRK PUR QAT
ROU RSA RUS RWA SAM SEN SEY SGP SKN SLE SLO SMR SOL SOM SRB SRI SSD STP SUD SUI SUR SVK SWE SWZ SYR TAN
TGA THA TJK TKM TLS TOG TPE TTO TUN TUR TUV UAE UGA UKR URU USA UZB VAN VEN VIE VIN YEM ZAM ZIM
"""

# Codes that appear in older results or for neutral athletes, with the name readers need.
HISTORICAL_NAMES = {
    "URS": "Soviet Union",
    "GDR": "East Germany",
    "FRG": "West Germany",
    "EUA": "the united German team of 1956-1964",
    "EUN": "Unified Team",
    "TCH": "Czechoslovakia",
    "YUG": "Yugoslavia",
    "SCG": "Serbia and Montenegro",
    "OAR": "Olympic Athletes from Russia",
    "ROC": "ROC (Russian Olympic Committee)",
    "AIN": "Individual Neutral Athletes",
    "RSU": "the Russian Skating Union (Russian skaters at ISU events under sanctions, 2020-21)",
}

IOC_CODES: frozenset[str] = frozenset(_CURRENT.split()) | frozenset(HISTORICAL_NAMES)


def historical_names(codes) -> dict[str, str]:
    """The historical or neutral codes among ``codes``, with their names, in the order given.

    >>> historical_names(["NED", "URS", "GDR"])
    {'URS': 'Soviet Union', 'GDR': 'East Germany'}
    """
    return {code: HISTORICAL_NAMES[code] for code in dict.fromkeys(codes) if code in HISTORICAL_NAMES}


def is_ioc_code(code: str) -> bool:
    """True if ``code`` is an IOC nation code (current, historical or neutral)."""
    return code in IOC_CODES
