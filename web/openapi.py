"""The OpenAPI 3.0 document of the JSON API, written by hand (it is small).

Kept beside the views so a new route and its description change together;
`tests/test_api.py` checks that every /api/ route is described, and the
schemathesis run fuzzes the API from this document.
"""
from __future__ import annotations

_ERROR = {"$ref": "#/components/responses/Error"}


def _id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _ok(description: str, schema: dict | None = None, code: str = "200") -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return {code: body}


def _json_body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


PAGING = [_query("limit", "한 번에 받을 개수 (1~500)", {"type": "integer", "minimum": 1, "maximum": 500}),
          _query("offset", "건너뛸 개수", {"type": "integer", "minimum": 0})]
WRITE = [{"bearerAuth": []}, {"cookieAuth": []}]
ANY = {"type": "object", "additionalProperties": True}


def public_server(app) -> str:
    """The server the document names: the configured PUBLIC_URL (YEONGYE_PUBLIC_URL), else "/".

    Never the request's Host header: a client can send any Host, and the
    document (cached, shared, fed to code generators) must not repeat it.
    """
    return (app.config.get("PUBLIC_URL") or "").rstrip("/") or "/"


_PROGRAMME = {"type": "object", "required": ["name", "members"], "properties": {
    "name": {"type": "string", "maxLength": 100},
    "starts": {"type": "string", "format": "date", "nullable": True},
    "ends": {"type": "string", "format": "date", "nullable": True},
    "description": {"type": "string", "maxLength": 500, "nullable": True},
    "members": {"type": "array", "maxItems": 200, "items": {"type": "object", "properties": {
        "complex_id": {"type": "integer", "minimum": 1}, "agency_id": {"type": "integer", "minimum": 1},
        "role": {"type": "string", "description": "lead(주관), co_lead(공동 주관), partner(협력), "
                                                  "participant(참여), sponsor(후원·자원 제공)"}}}}}}


def document(server: str = "/") -> dict:
    """The OpenAPI document, with `server` (e.g. https://yeongye.example.kr, or "/") as its server."""
    errors = {"400": _ERROR, "404": _ERROR}
    auth_errors = {**errors, "401": _ERROR, "403": _ERROR, "415": _ERROR}
    paths = {
        "/api/search": {"get": {
            "summary": "기관 검색 (이름·유형·별칭·필요, 거리)", "operationId": "search",
            "description": "응답의 understood는 낱말마다 역할(need, group, kind, place, name, initials, typo, "
                           "generic, ignored)과 기관 유형, within은 반경(없으면 10 km) 안의 결과 수와, 없을 때 "
                           "가장 가까운 곳의 거리(nearest_km)입니다.",
            "parameters": [
                _query("q", "검색어 (예: 정신건강복지센터, 치매, 노원구 보건소, 우울증 상담)"),
                _query("near", "기준 위치 '위도,경도'"),
                _query("complex", "기준 단지 (이름 또는 id)"),
                _query("address", "기준 주소"),
                _query("radius", "반경 km", {"type": "number", "minimum": 0}),
                _query("category", "분야 (7개 분류)"), _query("type", "기관 유형"),
                _query("sido", "시도"), _query("sigungu", "시군구"), _query("target", "대상 (예: 노인)"),
                _query("sort", "정렬", {"type": "string", "enum": ["relevance", "distance", "name"]}),
                _query("limit", "개수", {"type": "integer", "minimum": 1, "maximum": 200}),
            ],
            "responses": {**_ok("검색 결과", ANY), "400": _ERROR}}},
        "/api/me": {"get": {"summary": "로그인한 사용자", "operationId": "me",
                            "responses": _ok("사용자 또는 null", ANY)}},
        "/api/agencies": {
            "get": {"summary": "기관 목록", "operationId": "listAgencies",
                    "parameters": [_query(k, k) for k in ("category", "type", "sido", "sigungu", "placement")]
                    + PAGING,
                    "responses": {**_ok("기관 목록", {"$ref": "#/components/schemas/AgencyList"}), "400": _ERROR}},
            "post": {"summary": "기관 추가 (관리자)", "operationId": "createAgency", "security": WRITE,
                     "requestBody": _json_body("AgencyFields"),
                     "responses": {**_ok("추가한 기관", ANY, "201"), **auth_errors}},
        },
        "/api/agencies/{agency_id}": {
            "parameters": [_id_param("agency_id")],
            "get": {"summary": "기관 한 곳", "operationId": "getAgency",
                    "responses": {**_ok("기관", ANY), **errors}},
            "patch": {"summary": "기관 정보 고치기 (관리자, 변경 기록에 남음)", "operationId": "updateAgency",
                      "security": WRITE, "requestBody": _json_body("AgencyFields"),
                      "responses": {**_ok("고친 기관", ANY), **auth_errors}},
        },
        "/api/agencies/{agency_id}/corrections": {
            "parameters": [_id_param("agency_id")],
            "post": {"summary": "수정 요청 보내기 (누구나)", "operationId": "requestCorrection",
                     "requestBody": _json_body("Correction"),
                     "responses": {**_ok("접수", ANY, "201"), **errors, "415": _ERROR}},
        },
        "/api/complexes": {"get": {"summary": "단지 목록", "operationId": "listComplexes",
                                   "responses": _ok("단지 목록", ANY)}},
        "/api/complexes/{complex_id}": {
            "parameters": [_id_param("complex_id")],
            "get": {"summary": "단지와 연계", "operationId": "getComplex", "responses": {**_ok("단지", ANY), **errors}},
        },
        "/api/complexes/{complex_id}/links": {
            "parameters": [_id_param("complex_id")],
            "get": {"summary": "단지의 연계 목록", "operationId": "listLinks",
                    "responses": {**_ok("연계 목록", ANY), **errors}},
            "post": {"summary": "연계 기관 추가 (단지 담당자)", "operationId": "createLink", "security": WRITE,
                     "requestBody": _json_body("NewLink"),
                     "responses": {**_ok("추가한 연계", ANY, "201"), **auth_errors, "409": _ERROR}},
        },
        "/api/links/{link_id}": {
            "parameters": [_id_param("link_id")],
            "get": {"summary": "연계 한 건 (version 포함)", "operationId": "getLink",
                    "responses": {**_ok("연계", ANY), **errors}},
            "put": {"summary": "연계 고치기: 읽은 version 을 함께 보냄; 그 사이 바뀌었으면 409",
                    "operationId": "updateLink", "security": WRITE, "requestBody": _json_body("LinkUpdate"),
                    "responses": {**_ok("고친 연계", ANY), **auth_errors, "409": _ERROR}},
            "delete": {"summary": "연계 삭제 (연락 기록 포함)", "operationId": "deleteLink", "security": WRITE,
                       "parameters": [_query("version", "읽은 version", {"type": "integer", "minimum": 1})],
                       "responses": {"204": {"description": "삭제함"}, **auth_errors, "409": _ERROR}},
        },
        "/api/complexes/{complex_id}/contacts": {
            "parameters": [_id_param("complex_id")],
            "get": {"summary": "단지의 연락 기록 (담당자·지역 담당자·관리자)", "operationId": "listContacts",
                    "security": WRITE, "parameters": PAGING,
                    "responses": {**_ok("연락 기록", ANY), **auth_errors}},
        },
        "/api/links/{link_id}/contacts": {
            "parameters": [_id_param("link_id")],
            "post": {"summary": "연락 기록 추가 (메모에 개인정보 금지)", "operationId": "createContact",
                     "security": WRITE, "requestBody": _json_body("NewContact"),
                     "responses": {**_ok("추가한 기록", ANY, "201"), **auth_errors}},
        },
        "/api/programmes": {
            "get": {"summary": "사업·프로그램 목록 (단지 또는 기관별)", "operationId": "listProgrammes",
                    "parameters": [_query("complex_id", "단지 id", {"type": "integer", "minimum": 1}),
                                   _query("agency_id", "기관 id", {"type": "integer", "minimum": 1})],
                    "responses": {**_ok("사업·프로그램", ANY)}},
            "post": {"summary": "사업·프로그램 기록 (참여 단지 모두의 담당자 또는 관리자)", "operationId": "createProgramme",
                     "security": WRITE, "requestBody": _json_body("Programme"),
                     "responses": {**_ok("기록한 사업", ANY, "201"), **auth_errors}},
        },
        "/api/programmes/{programme_id}": {
            "parameters": [_id_param("programme_id")],
            "get": {"summary": "사업·프로그램 하나: 기간, 참여 단지·기관과 역할", "operationId": "getProgramme",
                    "responses": {**_ok("사업", ANY), **errors}},
            "put": {"summary": "사업·프로그램 고치기 (읽은 version 필요)", "operationId": "updateProgramme",
                    "security": WRITE, "requestBody": _json_body("ProgrammeUpdate"),
                    "responses": {**_ok("고친 사업", ANY), **auth_errors, "409": _ERROR}},
            "delete": {"summary": "사업·프로그램 삭제", "operationId": "deleteProgramme", "security": WRITE,
                       "responses": {"204": {"description": "삭제함"}, **auth_errors}},
        },
        "/api/contacts": {
            "post": {"summary": "여러 기관·단지가 함께한 연락 (통합사례회의 등): 닿은 연계마다 1회", "operationId":
                     "createSharedContact", "security": WRITE, "requestBody": _json_body("SharedContact"),
                     "responses": {**_ok("추가한 기록 (event, contacts, links)", ANY, "201"), **auth_errors}},
        },
        "/api/reports/complexes/{complex_id}": {
            "parameters": [_id_param("complex_id")],
            "get": {"summary": "단지 보고서: 연계망 지표, 빈틈, 추천", "operationId": "complexReport",
                    "responses": {**_ok("보고서", ANY), **errors}},
        },
        "/api/reports/network": {"get": {
            "summary": "지역 연계망 보고서", "operationId": "networkReport",
            "parameters": [_query("sido", "시도"), _query("sigungu", "시군구")],
            "responses": {**_ok("보고서", ANY), "400": _ERROR}}},
        "/api/sociogram": {"get": {
            "summary": "연계망 그림(소시오그램) 자료: 노드와 지표, 연계", "operationId": "sociogram",
            "description": "complex를 주면 그 단지의 자아 연결망(radius 1: 연계 기관, 2: 그 기관과 일하는 다른 단지까지), "
                           "sido/sigungu를 주면 그 지역, 아무것도 없으면 전체입니다. 노드마다 degree, weighted_degree, "
                           "betweenness, eigenvector, 연계마다 level, weight, content_types, (있으면) depth가 붙습니다.",
            "parameters": [
                _query("complex", "단지 id", {"type": "integer", "minimum": 1}),
                _query("sido", "시도"), _query("sigungu", "시군구"),
                _query("radius", "단지에서 몇 단계까지 (1 또는 2)", {"type": "integer", "minimum": 1, "maximum": 2}),
                _query("min_level", "이 연락 빈도(1~5) 이상인 연계만", {"type": "integer", "minimum": 1, "maximum": 5}),
                _query("content_type", "이 연계 내용(referral, resources, information, programs, meetings)이 있는 연계만"),
                _query("category", "이 분야 기관과의 연계만"), _query("depth", "이 깊이(초보적, 과정적, 실질적)의 연계만"),
            ],
            "responses": {**_ok("노드와 연계", ANY), **errors}}},
        "/api/houses": {
            "get": {"summary": "볼 수 있는 지원주택 (담당 주택, 시 평가 담당은 시 전체)", "operationId": "listHouses",
                    "security": WRITE, "responses": {**_ok("지원주택 목록", ANY), "401": _ERROR}},
            "post": {"summary": "지원주택 등록 (관리자; 주소로 위치를 정함)", "operationId": "createHouse",
                     "security": WRITE, "requestBody": _json_body("HouseFields"),
                     "responses": {**_ok("등록한 주택", ANY, "201"), **auth_errors}},
        },
        "/api/houses/{site_id}": {
            "parameters": [_id_param("site_id")],
            "get": {"summary": "지원주택: 정원, 서비스제공기관, 협약", "operationId": "getHouse", "security": WRITE,
                    "responses": {**_ok("주택", ANY), **auth_errors}},
            "patch": {"summary": "지원주택 정보 고치기 (주택 담당자; 종류는 관리자)", "operationId": "updateHouse",
                      "security": WRITE, "requestBody": _json_body("HouseFields"),
                      "responses": {**_ok("고친 주택", ANY), **auth_errors}},
        },
        "/api/houses/{site_id}/agreements": {
            "parameters": [_id_param("site_id")],
            "post": {"summary": "협약 기록 (시작일, 종료일, 성과지표 적용 공고일, 재협약)",
                     "operationId": "createAgreement", "security": WRITE, "requestBody": _json_body("Agreement"),
                     "responses": {**_ok("기록한 협약", ANY, "201"), **auth_errors}},
        },
        "/api/emergency/screen": {"post": {
            "summary": "긴급복지 주거지원 선별 (저장하지 않음): 판단, 이유, 챙길 것, 단지 근처 연락처",
            "operationId": "emergencyScreen",
            "description": "verdict는 likely(지원 가능성이 높음), protect_first(기준 초과이나 긴급 위험이면 선보호 후 "
                           "심사), check(확인 필요). 금액은 원 단위 정수 또는 '179만4천' 같은 글. count=true는 "
                           "그 단지 담당자만 (익명 월별 건수).",
            "requestBody": _json_body("EmergencyAnswers"),
            "responses": {**_ok("선별 결과", ANY), **errors, "403": _ERROR, "415": _ERROR}}},
        "/api/emergency/contacts": {"post": {
            "summary": "오늘 밤 연락할 곳과 절차 (폭력이면 112·해바라기센터·상담소 먼저; 저장하지 않음)",
            "operationId": "emergencyContacts", "requestBody": _json_body("EmergencyContacts"),
            "responses": {**_ok("연락처와 절차", ANY), **errors, "415": _ERROR}}},
        "/api/agreements/{agreement_id}": {
            "parameters": [_id_param("agreement_id")],
            "put": {"summary": "협약 고치기: 읽은 version 을 함께 보냄; 그 사이 바뀌었으면 409",
                    "operationId": "updateAgreement", "security": WRITE,
                    "requestBody": _json_body("AgreementUpdate"),
                    "responses": {**_ok("고친 협약", ANY), **auth_errors, "409": _ERROR}},
            "delete": {"summary": "협약 삭제", "operationId": "deleteAgreement", "security": WRITE,
                       "parameters": [_query("version", "읽은 version", {"type": "integer", "minimum": 1})],
                       "responses": {"204": {"description": "삭제함"}, **auth_errors, "409": _ERROR}},
        },
    }
    text = {"type": "string", "maxLength": 1000, "nullable": True}
    schemas = {
        "Error": {"type": "object", "required": ["error", "message", "status"],
                  "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                 "status": {"type": "integer"}}},
        "AgencyList": {"type": "object", "properties": {"total": {"type": "integer"}, "limit": {"type": "integer"},
                                                        "offset": {"type": "integer"},
                                                        "items": {"type": "array", "items": ANY}}},
        "AgencyFields": {"type": "object", "additionalProperties": False, "properties": {
            **{k: text for k in ("name", "type", "road_address", "lot_address", "sido", "sigungu", "eupmyeondong",
                                 "phone", "homepage", "operator", "services", "target_groups", "hours",
                                 "verified_date")},
            "lat": {"type": "number", "nullable": True}, "lon": {"type": "number", "nullable": True}}},
        "Correction": {"type": "object", "required": ["message"], "properties": {
            "message": {"type": "string", "maxLength": 1000}, "field": {"type": "string", "nullable": True},
            "contact": {"type": "string", "maxLength": 200, "nullable": True}}},
        "NewLink": {"type": "object", "required": ["agency_id"], "properties": {
            "agency_id": {"type": "integer", "minimum": 1},
            "frequency_level": {"type": "integer", "minimum": 1, "maximum": 5, "nullable": True},
            "frequency_basis": {"type": "string", "enum": ["auto", "log", "manual"], "nullable": True,
                                "description": "보이는 빈도의 근거: auto(연락 기록이 12개월을 채우면 기록), "
                                               "log(기록으로 계산), manual(직접 입력 유지); 없으면 그대로"},
            "content_types": {"type": "array", "items": {"type": "string", "enum": [
                "referral", "resources", "information", "programs", "meetings"]}},
            "note": {"type": "string", "maxLength": 500, "nullable": True}}},
        "LinkUpdate": {"type": "object", "required": ["version"], "properties": {
            "version": {"type": "integer", "minimum": 1},
            "frequency_level": {"type": "integer", "minimum": 1, "maximum": 5, "nullable": True},
            "frequency_basis": {"type": "string", "enum": ["auto", "log", "manual"], "nullable": True,
                                "description": "보이는 빈도의 근거: auto(연락 기록이 12개월을 채우면 기록), "
                                               "log(기록으로 계산), manual(직접 입력 유지); 없으면 그대로"},
            "content_types": {"type": "array", "items": {"type": "string"}},
            "note": {"type": "string", "maxLength": 500, "nullable": True}}},
        "HouseFields": {"type": "object", "additionalProperties": False, "properties": {
            **{k: {"type": "string", "maxLength": 200, "nullable": True}
               for k in ("name", "operator", "address", "target_group")},
            "kind": {"type": "string", "enum": ["supportive", "permanent_rental", "지원주택", "영구임대주택"]},
            "capacity": {"type": "integer", "minimum": 1, "maximum": 10000, "nullable": True},
            "provider_agency_id": {"type": "integer", "minimum": 1, "nullable": True},
            "lat": {"type": "number", "nullable": True}, "lon": {"type": "number", "nullable": True}}},
        "Agreement": {"type": "object", "required": ["starts", "ends"], "properties": {
            "starts": {"type": "string", "format": "date"}, "ends": {"type": "string", "format": "date"},
            "notice_date": {"type": "string", "format": "date", "nullable": True},
            "renews_id": {"type": "integer", "minimum": 1, "nullable": True},
            "note": {"type": "string", "maxLength": 1000, "nullable": True}}},
        "AgreementUpdate": {"type": "object", "required": ["starts", "ends", "version"], "properties": {
            "version": {"type": "integer", "minimum": 1},
            "starts": {"type": "string", "format": "date"}, "ends": {"type": "string", "format": "date"},
            "notice_date": {"type": "string", "format": "date", "nullable": True},
            "renews_id": {"type": "integer", "minimum": 1, "nullable": True},
            "note": {"type": "string", "maxLength": 1000, "nullable": True}}},
        "NewContact": {"type": "object", "required": ["contact_date"], "properties": {
            "contact_date": {"type": "string", "format": "date"},
            "content_type": {"type": "string", "nullable": True},
            "note": {"type": "string", "maxLength": 500, "nullable": True}}},
        "Programme": _PROGRAMME,
        "ProgrammeUpdate": {**_PROGRAMME, "required": ["name", "members", "version"],
                            "properties": {**_PROGRAMME["properties"], "version": {"type": "integer", "minimum": 1}}},
        "EmergencyAnswers": {"type": "object", "additionalProperties": False, "properties": {
            "safe_tonight": {"type": "boolean", "nullable": True},
            "reasons": {"type": "array", "maxItems": 7, "items": {"type": "string", "enum": [
                "income_loss", "illness", "abuse", "violence", "disaster", "business", "other"]}},
            "household_size": {"type": "integer", "minimum": 1, "maximum": 30, "nullable": True},
            "monthly_income": {"type": "integer", "minimum": 0, "maximum": 10**13, "nullable": True},
            "region_type": {"type": "string", "enum": ["대도시", "중소도시", "농어촌"], "nullable": True},
            "sido": {"type": "string", "maxLength": 40, "nullable": True},
            "sigungu": {"type": "string", "maxLength": 40, "nullable": True},
            "net_property": {"type": "integer", "minimum": -10**13, "maximum": 10**13, "nullable": True},
            "financial_assets": {"type": "integer", "minimum": 0, "maximum": 10**13, "nullable": True},
            "already_receiving": {"type": "boolean", "nullable": True},
            "complex_id": {"type": "integer", "minimum": 1, "nullable": True},
            "count": {"type": "boolean"}}},
        "EmergencyContacts": {"type": "object", "required": ["complex_id"], "properties": {
            "complex_id": {"type": "integer", "minimum": 1},
            "reasons": {"type": "array", "maxItems": 7, "items": {"type": "string"}},
            "unsafe": {"type": "boolean"}}},
        "SharedContact": {"type": "object", "required": ["complex_ids", "agency_ids", "contact_date"], "properties": {
            "complex_ids": {"type": "array", "minItems": 1, "maxItems": 60, "items": {"type": "integer", "minimum": 1}},
            "agency_ids": {"type": "array", "minItems": 1, "maxItems": 60, "items": {"type": "integer", "minimum": 1}},
            "contact_date": {"type": "string", "format": "date"},
            "content_type": {"type": "string", "nullable": True},
            "kind": {"type": "string", "nullable": True, "description": "모임 종류 (통합사례회의 …)"},
            "note": {"type": "string", "maxLength": 500, "nullable": True}}},
    }
    paths.update(_outcome_paths(errors, auth_errors))
    schemas.update(_OUTCOME_SCHEMAS)
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "연계 (Yeongye) API", "version": "1",
                 "description": "주거복지 자원 디렉터리와 연계망. 읽기는 누구나, 쓰기는 로그인 세션 또는 "
                                "Authorization: Bearer 토큰과 해당 권한이 필요합니다. 오류는 "
                                "{error, message, status} JSON 입니다."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Error": {"description": "오류 (한국어 message)", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "yeongye user token USER"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
    doc["servers"] = [{"url": server or "/"}]
    return doc


# --- supportive houses' outcome indicators (web/api_housing.py) ------------------------------

_COUNT = {"type": "integer", "minimum": 0, "maximum": 100000}
_FIGURES = "비율과 평균은 매뉴얼처럼 소수점 첫째 자리에서 버린 값을 문자열로 줍니다 (\"87.5\")."
_OUTCOME_SCHEMAS = {
    "RetentionCounts": {"type": "object", "required": ["evaluation_month", "total", "continuing"], "properties": {
        "evaluation_month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$",
                             "description": "평가 시점의 달 (그 전월 말까지 셈)"},
        "total": {**_COUNT, "minimum": 1, "description": "A: 총 입주민 규모"},
        "continuing": {**_COUNT, "description": "B: 지속거주 입주민 규모"},
        "exits": {"type": "object", "description": "퇴거자 (independent, facility, death, absconded, prison)",
                  "additionalProperties": _COUNT},
        "version": {"type": "integer", "minimum": 0, "nullable": True}}},
    "YearCounts": {"type": "object", "required": ["residents"], "properties": {
        "residents": {**_COUNT, "description": "A: 그해 총 입주민 규모"},
        "departed": {**_COUNT, "description": "1주일 이상 주거이탈 실인원"},
        "hospitalised": {**_COUNT, "description": "3개월 이상 정신병원 입원 실인원"},
        "version": {"type": "integer", "minimum": 0, "nullable": True}}},
    "Sheets": {"type": "object", "required": ["instrument", "wave", "sheets"], "properties": {
        "instrument": {"type": "string", "enum": ["isolation", "audit"]},
        "wave": {"type": "string", "enum": ["pre", "post", "사전", "사후"]},
        "withdraw": {"type": "boolean", "description": "처음 입력한 응답 그대로 다시 보내 그 측정에서 뺌"},
        "sheets": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {
            "type": "object", "required": ["answers"], "properties": {
                "answers": {"type": "array", "maxItems": 10,
                            "items": {"oneOf": [{"type": "string", "maxLength": 40}, {"type": "integer"}]}},
                "sex": {"type": "string", "maxLength": 10, "nullable": True}}}}}},
    "ProcedurePlan": {"type": "object", "required": ["procedure"], "properties": {
        "procedure": {"type": "string", "maxLength": 60, "description": "절차 코드 (GET 목록의 code)"},
        "start": {"type": "string", "format": "date", "description": "절차의 기준일 (없으면 오늘)"},
        "situations": {"type": "array", "maxItems": 5, "items": {"type": "string", "maxLength": 20}}}},
    "Reason": {"type": "object", "required": ["indicator"], "properties": {
        "indicator": {"type": "string", "enum": ["retention", "departure", "hospital", "social", "drinking"]},
        "reason": {"type": "string", "maxLength": 2000, "nullable": True},
        "version": {"type": "integer", "minimum": 0, "nullable": True}}},
    "ScorecardGrades": {"type": "object", "properties": {
        "grades": {"type": "object", "maxProperties": 30, "description": "세부지표 번호 → 우수/보통/미흡 (20: 가점 0~5)",
                   "additionalProperties": {"oneOf": [{"type": "string", "maxLength": 10}, {"type": "integer"}]}},
        "opinion": {"type": "string", "maxLength": 2000, "nullable": True}}},
    "CommitteeScores": {"type": "object", "required": ["scores"], "properties": {
        "scores": {"type": "array", "maxItems": 50, "items": {"type": "number"}}}},
}


def _outcome_paths(errors: dict, auth_errors: dict) -> dict:
    """The paths of web/api_housing.py."""
    house = [_id_param("site_id")]
    counted = {"type": "integer", "minimum": 0, "maximum": 100000}
    return {
        "/api/houses/{site_id}/outcomes": {
            "parameters": house,
            "get": {"summary": "지원주택 성과지표 5종 (현재 협약, 공고 연도부터)", "operationId": "houseOutcomes",
                    "description": _FIGURES, "security": WRITE,
                    "parameters": [_query("evaluation", "평가 시점 YYYY-MM (없으면 최근 주거유지율 기록의 달)")],
                    "responses": {**_ok("주거유지율, 주거이탈률, 정신병원 입원율, 사회적 관계, 위험 음주율", ANY),
                                  **auth_errors}}},
        "/api/houses/{site_id}/outcomes/retention": {
            "parameters": house,
            "put": {"summary": "주거유지율 인원 기록 (A = B + C 확인)", "operationId": "putRetention",
                    "security": WRITE, "requestBody": _json_body("RetentionCounts"),
                    "responses": {**_ok("기록한 인원", ANY), **auth_errors, "409": _ERROR}}},
        "/api/houses/{site_id}/outcomes/years/{year}": {
            "parameters": [*house, {"name": "year", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 2010, "maximum": 2100}}],
            "put": {"summary": "한 해의 입주민, 주거이탈·정신병원 입원 실인원 (공고 연도부터)", "operationId": "putYear",
                    "security": WRITE, "requestBody": _json_body("YearCounts"),
                    "responses": {**_ok("기록한 인원", ANY), **auth_errors, "409": _ERROR}}},
        "/api/houses/{site_id}/outcomes/sheets": {
            "parameters": house,
            "post": {"summary": "척도 응답지 채점: 측정(사전·사후)의 합계만 저장 (응답은 저장하지 않음)",
                     "operationId": "postSheets", "security": WRITE, "requestBody": _json_body("Sheets"),
                     "responses": {**_ok("측정의 합계 (n, 평균 또는 위험 음주율)", ANY), **auth_errors}}},
        "/api/houses/{site_id}/outcomes/reasons": {
            "parameters": house,
            "put": {"summary": "지표의 사유 (매뉴얼이 요구할 때; 개인정보 금지)", "operationId": "putReason",
                    "security": WRITE, "requestBody": _json_body("Reason"),
                    "responses": {**_ok("기록한 사유", ANY), "204": {"description": "사유를 지움"}, **auth_errors,
                                  "409": _ERROR}}},
        "/api/houses/{site_id}/procedures": {
            "parameters": house,
            "get": {"summary": "지원주택 절차 목록 (선정, 계약·입주, 입주 후 계약, 재계약, 퇴거, 퇴거 지원)",
                    "operationId": "houseProcedures", "security": WRITE,
                    "responses": {**_ok("절차 (코드, 이름, 기준일, 상황)", ANY), **auth_errors}},
            "post": {"summary": "절차의 단계별 기한과 주택에서 가장 가까운 기관 (저장하지 않음; 날짜는 본문으로)",
                     "operationId": "housePlan", "security": WRITE, "requestBody": _json_body("ProcedurePlan"),
                     "responses": {**_ok("단계 (기한, 기한일, 연락할 기관·전화)", ANY), **auth_errors}}},
        "/api/housing/staffing": {
            "get": {"summary": "인력 배치 기준: 코디네이터 1:7(정신질환), 1:5(알코올), 수퍼바이저, 사례관리자",
                    "operationId": "housingStaffing",
                    "parameters": [_query(name, label, counted) for name, label in (
                        ("mental_illness", "정신질환 입주민 수"), ("alcohol", "알코올 의존 입주민 수"),
                        ("residents", "전체 입주민 수 (6명당 1명 기준)"), ("coordinators", "현재 코디네이터 수"),
                        ("supervisors", "그중 수퍼바이저 수"))],
                    "responses": {**_ok("필요 인원과 부족", ANY), **errors}}},
        "/api/housing/evaluation-indicators": {
            "get": {"summary": "성과평가 지표: 3개 영역, 6개 항목, 21개 세부지표 (필수 10개)",
                    "operationId": "evaluationIndicators", "responses": _ok("세부지표 목록", ANY)}},
        "/api/housing/scorecard": {
            "post": {"summary": "성과평가 채점: 항목·영역별 점수, 100점 만점, 필수지표 미흡 시 즉시 시정조치",
                     "operationId": "housingScorecard", "requestBody": _json_body("ScorecardGrades"),
                     "responses": {**_ok("점수표", ANY), "400": _ERROR, "415": _ERROR}}},
        "/api/housing/committee": {
            "post": {"summary": "심의위원 9명 점수의 최고·최저 제외 산술 평균", "operationId": "housingCommittee",
                     "requestBody": _json_body("CommitteeScores"),
                     "responses": {**_ok("평균 (소수점 첫째 자리 버림, 정확한 분수)", ANY), "400": _ERROR, "415": _ERROR}}},
    }
