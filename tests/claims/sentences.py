"""The sentence table of the claim parser (issue 16): wire-copy and social-post styles, each
with the question it asks. The first draft of each expectation was printed by the parser; each
was then checked by hand against a reading of the sentence and corrected where the parser read it
wrong (the parser was then fixed, or the failure stays listed by the test). Places are the
airports a reader means (a city's airports as airportsdata lists them, with its neighbours within
25 km; a capital's airports when the town name is also elsewhere); dates are read from the
publication date 2019-09-25 (a Wednesday). Keys left out are empty. ``days`` is the claimed
window, first..last day (no date in the sentence: the 7 days up to publication).
"""

from __future__ import annotations

from typing import Any

PUBLISHED = "2019-09-25"

CARACAS = ["SVCS", "SVMI", "SVFM"]
MOSCOW = ["UUBB", "UUBM", "UUDD", "UUEE", "UUMO", "UUMU", "UUUS", "UUWW", "UUBW"]
HAVANA = ["MUHA", "MULB", "MUPB", "MUMG", "MUSA"]

TABLE: list[tuple[str, dict[str, Any]]] = [
    (
        "Two Russian air force planes landed in Caracas",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-18..2019-09-25",
            "count": 2,
        },
    ),
    (
        "A Russian air force jet was at Caracas' main Maiquetia airport on Wednesday",
        {
            "action": "was_at",
            "registry": ["RU"],
            "classes": ["military"],
            "at": ["SVMI"],
            "days": "2019-09-25..2019-09-25",
            "count": 1,
        },
    ),
    (
        "The plane had left Moscow on Sept. 20",
        {"action": "departed", "origin": MOSCOW, "days": "2019-09-20..2019-09-20"},
    ),
    (
        "A Chinese military plane landed in Caracas on Sept. 20",
        {
            "action": "landed",
            "registry": ["CN"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "Two Russian planes had landed recently in Venezuela",
        {
            "action": "landed",
            "registry": ["RU"],
            "dest": ["VE"],
            "days": "2019-09-11..2019-09-25",
            "count": 2,
        },
    ),
    (
        "BREAKING: Russian military transport lands in Caracas",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-18..2019-09-25",
        },
    ),
    (
        "An Il-62 of the Russian air force landed at Maiquetia on Saturday",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "types": ["IL62"],
            "dest": ["SVMI"],
            "days": "2019-09-21..2019-09-21",
            "count": 1,
        },
    ),
    (
        "A Russian An-124 cargo plane arrived in Caracas on Sept. 21",
        {
            "action": "landed",
            "registry": ["RU"],
            "types": ["A124"],
            "dest": CARACAS,
            "days": "2019-09-21..2019-09-21",
            "count": 1,
        },
    ),
    (
        "Russian Il-62M RA-86496 spotted at Caracas airport today",
        {
            "action": "was_at",
            "registry": ["RU"],
            "types": ["IL62"],
            "reg": ["RA-86496"],
            "at": CARACAS,
            "days": "2019-09-25..2019-09-25",
        },
    ),
    (
        "RFF7073 departed Vnukovo on Friday",
        {
            "action": "departed",
            "cs": ["RFF7073"],
            "origin": ["UUWW"],
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "Two Russian Air Force jets left Moscow for Caracas last week",
        {
            "action": "departed",
            "registry": ["RU"],
            "classes": ["military"],
            "origin": MOSCOW,
            "dest": CARACAS,
            "days": "2019-09-16..2019-09-22",
            "count": 2,
        },
    ),
    (
        "A Tu-154 of the Russian government landed in Havana yesterday",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["government"],
            "types": ["T154"],
            "dest": HAVANA,
            "days": "2019-09-24..2019-09-24",
            "count": 1,
        },
    ),
    (
        "Russian state aircraft flew from Moscow to Damascus on Monday",
        {
            "action": "flew",
            "registry": ["RU"],
            "classes": ["military", "government"],
            "origin": MOSCOW,
            "dest": ["OSDI"],
            "days": "2019-09-23..2019-09-23",
        },
    ),
    (
        "A Luftwaffe A400M flew from Cologne to Kabul last week",
        {
            "action": "flew",
            "registry": ["DE"],
            "classes": ["military"],
            "types": ["A400"],
            "origin": ["EDDK", "EDKB", "EDKL"],
            "dest": ["OAKB"],
            "days": "2019-09-16..2019-09-22",
            "count": 1,
        },
    ),
    (
        "US Air Force C-17 spotted at Dover AFB yesterday",
        {
            "action": "was_at",
            "registry": ["US"],
            "classes": ["military"],
            "types": ["C17"],
            "at": ["KDOV"],
            "days": "2019-09-24..2019-09-24",
        },
    ),
    (
        "A USAF C-17 Globemaster landed in Kabul on Tuesday",
        {
            "action": "landed",
            "registry": ["US"],
            "classes": ["military"],
            "types": ["C17"],
            "dest": ["OAKB"],
            "days": "2019-09-24..2019-09-24",
            "count": 1,
        },
    ),
    (
        "An RAF Voyager landed at Akrotiri on Sept. 18",
        {
            "action": "landed",
            "registry": ["GB"],
            "classes": ["military"],
            "types": ["A332"],
            "dest": ["LCRA"],
            "days": "2019-09-18..2019-09-18",
            "count": 1,
        },
    ),
    (
        "A PLAAF Il-76 landed in Belgrade on Sunday",
        {
            "action": "landed",
            "registry": ["CN"],
            "classes": ["military"],
            "types": ["IL76"],
            "dest": ["LYBJ"],
            "days": "2019-09-22..2019-09-22",
            "count": 1,
        },
    ),
    (
        "Chinese air force transport planes landed in Belgrade over the weekend",
        {
            "action": "landed",
            "registry": ["CN"],
            "classes": ["military"],
            "dest": ["LYBJ"],
            "days": "2019-09-21..2019-09-22",
        },
    ),
    (
        "A Venezuelan military plane departed Caracas for Havana on Thursday",
        {
            "action": "departed",
            "registry": ["VE"],
            "classes": ["military"],
            "origin": CARACAS,
            "dest": HAVANA,
            "days": "2019-09-19..2019-09-19",
            "count": 1,
        },
    ),
    (
        "Iranian cargo plane lands in Caracas",
        {"action": "landed", "registry": ["IR"], "dest": CARACAS, "days": "2019-09-18..2019-09-25"},
    ),
    (
        "A Boeing 747 of Mahan Air landed in Caracas on Sept. 19",
        {
            "action": "landed",
            "registry": ["IR"],
            "cs": ["IRM*"],
            "types": ["B741", "B742", "B743", "B744", "B748", "B74R", "B74S"],
            "dest": CARACAS,
            "days": "2019-09-19..2019-09-19",
            "count": 1,
        },
    ),
    (
        "An Iranian Boeing 747 arrived at Maiquetia airport recently",
        {
            "action": "landed",
            "registry": ["IR"],
            "types": ["B741", "B742", "B743", "B744", "B748", "B74R", "B74S"],
            "dest": ["SVMI"],
            "days": "2019-09-11..2019-09-25",
            "count": 1,
        },
    ),
    (
        "Russian bombers landed in Venezuela on Monday",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "dest": ["VE"],
            "days": "2019-09-23..2019-09-23",
        },
    ),
    (
        "Two Tu-160 bombers landed at Maiquetia on Monday",
        {
            "action": "landed",
            "classes": ["military"],
            "types": ["TU160"],
            "dest": ["SVMI"],
            "days": "2019-09-23..2019-09-23",
            "count": 2,
        },
    ),
    (
        "A US military plane landed in Managua on Sept. 22",
        {
            "action": "landed",
            "registry": ["US"],
            "classes": ["military"],
            "dest": ["MNMG", "MNBR", "MNFC"],
            "days": "2019-09-22..2019-09-22",
            "count": 1,
        },
    ),
    (
        "Nicaraguan government jet left Managua on Sept. 23",
        {
            "action": "departed",
            "registry": ["NI"],
            "classes": ["government"],
            "origin": ["MNMG", "MNBR", "MNFC"],
            "days": "2019-09-23..2019-09-23",
        },
    ),
    (
        "A Belarusian government plane landed in Caracas on Sept. 24",
        {
            "action": "landed",
            "registry": ["BY"],
            "classes": ["government"],
            "dest": CARACAS,
            "days": "2019-09-24..2019-09-24",
            "count": 1,
        },
    ),
    (
        "Turkish military cargo plane landed in Tripoli last week",
        {
            "action": "landed",
            "registry": ["TR"],
            "classes": ["military"],
            "dest": ["HLLM", "HLLT"],
            "days": "2019-09-16..2019-09-22",
        },
    ),
    (
        "A French Air Force A400M arrived in Bamako on Tuesday",
        {
            "action": "landed",
            "registry": ["FR"],
            "classes": ["military"],
            "types": ["A400"],
            "dest": ["GABS"],
            "days": "2019-09-24..2019-09-24",
            "count": 1,
        },
    ),
    (
        "German military plane flew to Erbil on Sept. 12",
        {
            "action": "flew",
            "registry": ["DE"],
            "classes": ["military"],
            "dest": ["ORER"],
            "days": "2019-09-12..2019-09-12",
        },
    ),
    (
        "A Chinese government Boeing 737 landed in Havana this week",
        {
            "action": "landed",
            "registry": ["CN"],
            "classes": ["government"],
            "types": [
                "B731",
                "B732",
                "B733",
                "B734",
                "B735",
                "B736",
                "B737",
                "B738",
                "B739",
                "B37M",
                "B38M",
                "B39M",
                "B3XM",
            ],
            "dest": HAVANA,
            "days": "2019-09-23..2019-09-25",
            "count": 1,
        },
    ),
    (
        "Callsign RCH123 landed at Ramstein on Sept. 23",
        {"action": "landed", "cs": ["RCH123"], "dest": ["ETAR"], "days": "2019-09-23..2019-09-23"},
    ),
    (
        "The jet, callsign SAM44, left Andrews on Tuesday",
        {
            "action": "departed",
            "cs": ["SAM44"],
            "origin": ["KADW"],
            "days": "2019-09-24..2019-09-24",
        },
    ),
    (
        "A plane with hex 1551e0 was seen at Maiquetia on Sept. 20",
        {
            "action": "was_at",
            "hex": ["1551e0"],
            "at": ["SVMI"],
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "A Russian state plane was parked at Hmeimim on Sept. 22",
        {
            "action": "was_at",
            "registry": ["RU"],
            "classes": ["military", "government"],
            "at": ["OSLK"],
            "days": "2019-09-22..2019-09-22",
            "count": 1,
        },
    ),
    (
        "Syrian government plane flew from Damascus to Moscow yesterday",
        {
            "action": "flew",
            "registry": ["SY"],
            "classes": ["government"],
            "origin": ["OSDI"],
            "dest": MOSCOW,
            "days": "2019-09-24..2019-09-24",
        },
    ),
    (
        "A Qatari government jet landed in Kabul on Sept. 15",
        {
            "action": "landed",
            "registry": ["QA"],
            "classes": ["government"],
            "dest": ["OAKB"],
            "days": "2019-09-15..2019-09-15",
            "count": 1,
        },
    ),
    (
        "Emirati air force C-17 landed in Benghazi last month",
        {
            "action": "landed",
            "registry": ["AE"],
            "classes": ["military"],
            "types": ["C17"],
            "dest": ["HLLB"],
            "days": "2019-08-01..2019-08-31",
        },
    ),
    (
        "A Saudi military plane landed in Khartoum in September",
        {
            "action": "landed",
            "registry": ["SA"],
            "classes": ["military"],
            "dest": ["HSSK"],
            "days": "2019-09-01..2019-09-25",
            "count": 1,
        },
    ),
    (
        "Royal Air Force Atlas landed in Kyiv on Sept. 1",
        {
            "action": "landed",
            "registry": ["GB"],
            "classes": ["military"],
            "types": ["A400"],
            "dest": ["UKBB", "UKKK", "UKKM", "UKKT"],
            "days": "2019-09-01..2019-09-01",
        },
    ),
    (
        "Polish Air Force C-130 departed Warsaw on Sept. 24",
        {
            "action": "departed",
            "registry": ["PL"],
            "classes": ["military"],
            "types": ["C130", "C30J"],
            "origin": ["EPMO", "EPWA", "EPBC", "EPGO"],
            "days": "2019-09-24..2019-09-24",
        },
    ),
    (
        "A Spanish Air Force plane arrived in Caracas on Sept. 23",
        {
            "action": "landed",
            "registry": ["ES"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-23..2019-09-23",
            "count": 1,
        },
    ),
    (
        "Russian Aerospace Forces Il-76 landed in Bangui on Sept. 17",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "types": ["IL76"],
            "dest": ["FEFF"],
            "days": "2019-09-17..2019-09-17",
        },
    ),
    (
        "The Special Flight Detachment Tu-214 flew to Sochi on Friday",
        {
            "action": "flew",
            "registry": ["RU"],
            "classes": ["government"],
            "cs": ["RSD*"],
            "types": ["T214"],
            "dest": ["URSS"],
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "A Kremlin plane landed in Minsk on Monday",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["government"],
            "dest": ["UMLI", "UMMB", "UMMS"],
            "days": "2019-09-23..2019-09-23",
            "count": 1,
        },
    ),
    (
        "A Rossiya special flight detachment Il-96 landed in Tehran on Sept. 18",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["government"],
            "cs": ["RSD*"],
            "types": ["IL96"],
            "dest": ["OIIE", "OIII", "OIID", "OIIG"],
            "days": "2019-09-18..2019-09-18",
            "count": 1,
        },
    ),
    (
        "US Navy plane landed at Guantanamo on Sept. 19",
        {
            "action": "landed",
            "registry": ["US"],
            "classes": ["military"],
            "dest": ["MUGT", "MUGM"],
            "days": "2019-09-19..2019-09-19",
        },
    ),
    (
        "An Indian Air Force C-17 landed in Kabul on Sept. 16",
        {
            "action": "landed",
            "registry": ["IN"],
            "classes": ["military"],
            "types": ["C17"],
            "dest": ["OAKB"],
            "days": "2019-09-16..2019-09-16",
            "count": 1,
        },
    ),
    (
        "Two Italian Air Force planes landed in Tripoli on Sept. 14",
        {
            "action": "landed",
            "registry": ["IT"],
            "classes": ["military"],
            "dest": ["HLLM", "HLLT"],
            "days": "2019-09-14..2019-09-14",
            "count": 2,
        },
    ),
    (
        "The Russian planes landed in Caracas, Venezuela, on Sept. 20",
        {"action": "landed", "registry": ["RU"], "dest": CARACAS, "days": "2019-09-20..2019-09-20"},
    ),
    (
        "A Russian plane flew from Chkalovsky to Caracas on Sept. 20",
        {
            "action": "flew",
            "registry": ["RU"],
            "origin": ["UUMU"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "Two Russian military aircraft touched down in Caracas on Friday",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 2,
        },
    ),
    (
        "Russian planes arrived in Caracas two days ago",
        {"action": "landed", "registry": ["RU"], "dest": CARACAS, "days": "2019-09-23..2019-09-23"},
    ),
    (
        "A Russian plane took off from Sheremetyevo on Sept. 20",
        {
            "action": "departed",
            "registry": ["RU"],
            "origin": ["UUEE"],
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "Russian military jet departed Domodedovo on Sept. 19",
        {
            "action": "departed",
            "registry": ["RU"],
            "classes": ["military"],
            "origin": ["UUDD"],
            "days": "2019-09-19..2019-09-19",
        },
    ),
    (
        "A Canadian Armed Forces plane landed in Bogota on Sept. 10",
        {
            "action": "landed",
            "registry": ["CA"],
            "classes": ["military"],
            "dest": ["SKBO", "SKGY", "SKMA"],
            "days": "2019-09-10..2019-09-10",
            "count": 1,
        },
    ),
    (
        "Venezuelan air force jet flew to Maracaibo on Sept. 20",
        {
            "action": "flew",
            "registry": ["VE"],
            "classes": ["military"],
            "dest": ["SVMC"],
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "A Cuban government plane landed in Caracas on Sept. 18",
        {
            "action": "landed",
            "registry": ["CU"],
            "classes": ["government"],
            "dest": CARACAS,
            "days": "2019-09-18..2019-09-18",
            "count": 1,
        },
    ),
    (
        "A North Korean plane landed in Beijing on Sept. 20",
        {
            "action": "landed",
            "registry": ["KP"],
            "dest": ["ZBAA", "ZBAD", "ZBBB", "ZBNY"],
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "US Air Force plane landed in Tel Aviv on Sept. 21",
        {
            "action": "landed",
            "registry": ["US"],
            "classes": ["military"],
            "dest": ["LLBG", "LLEK", "LLHZ", "LLPL"],
            "days": "2019-09-21..2019-09-21",
        },
    ),
    (
        "A Chinese military plane was seen at Havana airport last week",
        {
            "action": "was_at",
            "registry": ["CN"],
            "classes": ["military"],
            "at": HAVANA,
            "days": "2019-09-16..2019-09-22",
            "count": 1,
        },
    ),
    (
        "An Antonov An-124 was at Maiquetia on Sept. 22",
        {
            "action": "was_at",
            "types": ["A124"],
            "at": ["SVMI"],
            "days": "2019-09-22..2019-09-22",
            "count": 1,
        },
    ),
    (
        "russian air force planes landed in caracas",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-18..2019-09-25",
        },
    ),
    (
        "two russian military planes just landed in venezuela",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "dest": ["VE"],
            "days": "2019-09-11..2019-09-25",
            "count": 2,
        },
    ),
    (
        "omg russian military jets at maiquetia airport today",
        {
            "action": "was_at",
            "registry": ["RU"],
            "classes": ["military"],
            "at": ["SVMI"],
            "days": "2019-09-25..2019-09-25",
        },
    ),
    (
        "Russian Il-62 spotted at SVMI this morning",
        {
            "action": "was_at",
            "registry": ["RU"],
            "types": ["IL62"],
            "at": ["SVMI"],
            "days": "2019-09-25..2019-09-25",
        },
    ),
    (
        "Il-62 RA-86496 flew UUWW to SVMI on Sept. 20",
        {
            "action": "flew",
            "types": ["IL62"],
            "reg": ["RA-86496"],
            "origin": ["UUWW"],
            "dest": ["SVMI"],
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "A plane registered RA-82035 landed in Caracas on Sept. 20",
        {
            "action": "landed",
            "reg": ["RA-82035"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "Aircraft RA-86496 departed Moscow on Sept. 20",
        {
            "action": "departed",
            "reg": ["RA-86496"],
            "origin": MOSCOW,
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "The Russian air force Il-62 landed at Maiquetia on 2019-09-20",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["military"],
            "types": ["IL62"],
            "dest": ["SVMI"],
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "An American military plane landed in Caracas on Sept. 20",
        {
            "action": "landed",
            "registry": ["US"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "A British military plane landed in Caracas on Sept. 20",
        {
            "action": "landed",
            "registry": ["GB"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "Chinese PLA Air Force plane landed in Caracas on Sept. 20",
        {
            "action": "landed",
            "registry": ["CN"],
            "classes": ["military"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "A Chinese military plane landed in Maracaibo on Sept. 20",
        {
            "action": "landed",
            "registry": ["CN"],
            "classes": ["military"],
            "dest": ["SVMC"],
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "A Chinese military plane landed in Havana on Sept. 20",
        {
            "action": "landed",
            "registry": ["CN"],
            "classes": ["military"],
            "dest": HAVANA,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "A Turkish government jet landed in Caracas on September 20, 2019",
        {
            "action": "landed",
            "registry": ["TR"],
            "classes": ["government"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "A Russian government plane landed in Caracas between Sept. 18 and Sept. 21",
        {
            "action": "landed",
            "registry": ["RU"],
            "classes": ["government"],
            "dest": CARACAS,
            "days": "2019-09-18..2019-09-21",
            "count": 1,
        },
    ),
    (
        "A Russian plane was in Caracas on Sept. 20",
        {
            "action": "was_at",
            "registry": ["RU"],
            "at": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "A Russian jet flew into Caracas on Sept. 20",
        {
            "action": "landed",
            "registry": ["RU"],
            "dest": CARACAS,
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "Russian military planes flew to Venezuela in September",
        {
            "action": "flew",
            "registry": ["RU"],
            "classes": ["military"],
            "dest": ["VE"],
            "days": "2019-09-01..2019-09-25",
        },
    ),
    (
        "It landed in Caracas at night on Sept. 20",
        {"action": "landed", "dest": CARACAS, "days": "2019-09-20..2019-09-20"},
    ),
    (
        "A Gulfstream of the Venezuelan government left Caracas on Sept. 21",
        {
            "action": "departed",
            "registry": ["VE"],
            "classes": ["government"],
            "types": ["GLF4", "GLF5", "GLF6", "GA5C", "GA6C"],
            "origin": CARACAS,
            "days": "2019-09-21..2019-09-21",
            "count": 1,
        },
    ),
    (
        "A Russian Air Force plane was on the tarmac at Maiquetia airport on Thursday",
        {
            "action": "was_at",
            "registry": ["RU"],
            "classes": ["military"],
            "at": ["SVMI"],
            "days": "2019-09-19..2019-09-19",
            "count": 1,
        },
    ),
    # written by hand before the parser read them
    (
        "Russian Il-76 lands in Minsk, reports say",
        {
            "action": "landed",
            "registry": ["RU"],
            "types": ["IL76"],
            "dest": ["UMLI", "UMMB", "UMMS"],
            "days": "2019-09-18..2019-09-25",
        },
    ),
    (
        "A US Air Force KC-135 left Ramstein on Monday",
        {
            "action": "departed",
            "registry": ["US"],
            "classes": ["military"],
            "types": ["K35R", "K35E"],
            "origin": ["ETAR"],
            "days": "2019-09-23..2019-09-23",
            "count": 1,
        },
    ),
    (
        "Two Chinese Y-20 transports landed in Belgrade on Sept. 21",
        {
            "action": "landed",
            "registry": ["CN"],
            "types": ["Y20"],
            "dest": ["LYBJ"],
            "days": "2019-09-21..2019-09-21",
            "count": 2,
        },
    ),
    (
        "Venezuelan government plane flew from Caracas to Moscow on Sept. 22",
        {
            "action": "flew",
            "registry": ["VE"],
            "classes": ["government"],
            "origin": CARACAS,
            "dest": MOSCOW,
            "days": "2019-09-22..2019-09-22",
        },
    ),
    (
        "A Russian Tu-154 was seen at Latakia last week",
        {
            "action": "was_at",
            "registry": ["RU"],
            "types": ["T154"],
            "at": ["OSLK"],
            "days": "2019-09-16..2019-09-22",
            "count": 1,
        },
    ),
    (
        "Cuban military plane departed Havana yesterday",
        {
            "action": "departed",
            "registry": ["CU"],
            "classes": ["military"],
            "origin": HAVANA,
            "days": "2019-09-24..2019-09-24",
        },
    ),
    (
        "Russian bombers flew over Syria on Sept. 20",
        {
            "action": "flew",
            "registry": ["RU"],
            "classes": ["military"],
            "over": ["SY"],
            "days": "2019-09-20..2019-09-20",
        },
    ),
    (
        "A US Navy P-8 flew near Caracas on Monday",
        {
            "action": "flew",
            "registry": ["US"],
            "classes": ["military"],
            "types": ["P8"],
            "over": CARACAS,
            "days": "2019-09-23..2019-09-23",
            "count": 1,
        },
    ),
    (
        "A Russian plane landed at Caracas (CCS) on Friday",
        {
            "action": "landed",
            "registry": ["RU"],
            "dest": ["SVMI"],
            "days": "2019-09-20..2019-09-20",
            "count": 1,
        },
    ),
    (
        "Russian jet at CCS airport",
        {"action": "was_at", "registry": ["RU"], "at": ["SVMI"], "days": "2019-09-18..2019-09-25"},
    ),
]
