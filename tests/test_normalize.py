import pytest

from directory.normalize import address_key, name_key, normalize_phone, normalize_sido, parse_address


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("서울", "서울특별시"), ("서울시", "서울특별시"), ("서울특별시", "서울특별시"),
        ("경북", "경상북도"), ("경상북도", "경상북도"), ("경상븍도", "경상북도"),
        ("강원도", "강원특별자치도"), ("강원특별자치도", "강원특별자치도"),
        ("전라북도", "전북특별자치도"), ("전북특별자치도", "전북특별자치도"),
        ("충남", "충청남도"), ("제주도", "제주특별자치도"), ("대구 ", "대구광역시"),
        ("화성", None), ("", None), (None, None),
    ],
)
def test_normalize_sido(raw, expected):
    assert normalize_sido(raw) == expected


@pytest.mark.parametrize(
    "address, sido, sigungu",
    [
        ("충남 서천군 서천읍 사곡길 20-2", "충청남도", "서천군"),
        ("대전광역시서구둔산서로100+건강체련관3층", "대전광역시", "서구"),
        ("강릉시 경강로 2045", "강원특별자치도", "강릉시"),
        ("경기도 수원시 장안구 송원로 101", "경기도", "수원시 장안구"),
        ("경기도 수원시 팔달로 1", "경기도", "수원시"),
        ("광주시 오포읍 신현로 1", "경기도", "광주시"),
        ("광주광역시 동구 서남로 14, 7층", "광주광역시", "동구"),
        ("경상븍도 포항시 북구 중앙로 1", "경상북도", "포항시 북구"),
        ("세종특별자치시 다솜1로 31", "세종특별자치시", "세종특별자치시"),
        ("관평로170번길 10", None, None),
    ],
)
def test_parse_address(address, sido, sigungu):
    parsed = parse_address(address)
    assert (parsed["sido"], parsed["sigungu"]) == (sido, sigungu)


def test_parse_address_finds_eupmyeondong():
    assert parse_address("서울특별시 종로구 청운효자동 1")["eupmyeondong"] == "청운효자동"


@pytest.mark.parametrize(
    "a, b",
    [
        ("전라남도 곡성군 곡성읍 곡성로 854", "전라남도 곡성군 곡성읍 곡성로854"),
        ("전라남도 영암군 오리정길 39", "전라남도 영암군 영암읍오리정길39"),
        ("전라남도 구례군 구례읍 동편제길 30", "전라남도 구례군 구례읍 동편제길 30, 보건의료원"),
        ("울산광역시 중구 외솔큰길 225 중구보건소 2층", "울산광역시 중구 외솔큰길 225"),
        ("충남 서천군 서천읍 사곡길 20-2", "충청남도 서천군 서천읍 사곡길 20-2"),
    ],
)
def test_address_key_ignores_spacing_and_notes(a, b):
    assert address_key(a) == address_key(b)


def test_address_key_keeps_different_buildings_apart():
    assert address_key("부산광역시 강서구 낙동북로102번길 76") != address_key("부산광역시 강서구 낙동북로102번길 80")


@pytest.mark.parametrize(
    "raw, expected",
    [("063-859-4085", "063-859-4085"), ("0632904380", "063-290-4380"), ("02)991-9830", "02-991-9830"),
     ("031-5189-3561", "031-5189-3561"), ("1588-1234", "1588-1234"), ("129", "129"), ("없음", None)],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_name_key_drops_spaces_and_brackets():
    assert name_key("기장군 치매안심센터") == name_key("기장군치매안심센터")
    assert name_key("양평군정신건강복지센터(부설 자살예방센터)") == "양평군정신건강복지센터"


@pytest.mark.parametrize("raw, expected", [
    ("3047", "03047"), ("32,236", "32236"), ("03047", "03047"), ("3047.0", "03047"), ("", None), (None, None),
    ("없음", "없음"),  # not a number: kept as written, for a person to see
])
def test_normalize_postcode(raw, expected):
    from directory.normalize import normalize_postcode

    assert normalize_postcode(raw) == expected


def test_fix_typos_mends_region_names_from_the_reference_file():
    from directory.normalize import fix_typos

    assert fix_typos("경상븍도 경산시 하양읍") == "경상북도 경산시 하양읍"
    assert fix_typos("서울특별시 종로구") == "서울특별시 종로구" and fix_typos(None) is None


def test_import_normalises_through_directory_normalize_only():
    """The importer holds no normaliser of its own: one trip into directory.normalize."""
    from directory import normalize
    from importers import run

    for name in ("fix_typos", "normalize_postcode", "normalize_homepage"):
        assert getattr(run, name) is getattr(normalize, name)


@pytest.mark.parametrize("address, key", [
    ("경상남도 함안군 군청로 87-16 2층", "경상남도|함안군|군청로87-16"),  # the floor is not in the number
    ("경상남도 함안군 군청로 87-16, 2층", "경상남도|함안군|군청로87-16"),
    ("서울특별시 강서구 공항대로 561 B1층", "서울특별시|강서구|공항대로561"),
    ("서울특별시 중구 명동길 2", "서울특별시|중구|명동길2"),  # 명동 starts a road here, it is not the 동
    ("서울특별시 영등포구 국회대로76가길 14", "서울특별시|영등포구|국회대로76가길14"),
    ("인천광역시 연수구 먼우금로 45번길 5", "인천광역시|연수구|먼우금로45번길5"),
    ("전라남도 곡성군 곡성읍 학정리 123-4 2층", "전라남도|곡성군|학정리123-4"),
])
def test_address_key_keeps_the_building_number_whole(address, key):
    assert address_key(address) == key
