"""The words for every error code the core raises: code -> Korean template.

The core raises codes and parameters (:mod:`directory.errors`); this table
is the one place their sentences are written, apart from the raise sites.
Korean is the source language: the templates are the msgids of the web's
Babel catalogue (``web/i18n.py`` adds them), so the web answers in the
request's language and the CLI prints the Korean. Templates use
``%(name)s`` placeholders (gettext's python-format).

A code's HTTP status follows its suffix (``web/errors.py``): ``_not_found``
404, ``_conflict`` 409, ``_forbidden`` 403, anything else 400.
"""
from __future__ import annotations

__all__ = ["MESSAGES", "LABEL_PARAMS", "FORMATS", "render"]

# Parameters whose values are Korean vocabulary labels (from the core's own
# tables); a translating shell translates them too before filling the template.
LABEL_PARAMS = frozenset({"where", "what", "label", "scale", "wave"})

MESSAGES: dict[str, str] = {
    # a code no template knows yet still says something
    "error": "요청을 처리할 수 없습니다.",
    "store_error": "저장소를 사용할 수 없습니다.",
    "agency_not_found": "기관을 찾을 수 없습니다: %(agency_id)r",
    "complex_not_found": "단지를 찾을 수 없습니다: %(complex_id)r",
    "store_unopenable": "데이터베이스를 열 수 없습니다: %(path)s (%(detail)s)",
    "not_sqlite_store": "SQLite 데이터베이스가 아닙니다: %(path)s (%(detail)s)",
    "newer_store": "이 데이터베이스는 더 새로운 버전(스키마 %(version)s)입니다; 프로그램을 업데이트하세요.",
    "unknown_filter": "알 수 없는 필터: %(column)r",
    # directory.editing
    "edit_error": "기관 정보를 그대로 저장할 수 없습니다.",
    "not_editable": "고칠 수 없는 항목: %(fields)s",
    "field_not_a_number": "%(label)s은(는) 숫자여야 합니다: %(value)r",
    "field_outside_korea": "%(label)s이(가) 한국 범위(%(low)s~%(high)s) 밖입니다: %(value)r",
    "field_not_text": "%(label)s은(는) 글자여야 합니다.",
    "field_too_long": "%(label)s이(가) 너무 깁니다 (%(limit)s자 이내).",
    "name_required": "기관명은 비울 수 없습니다.",
    "unknown_agency_type": "알 수 없는 기관 유형: %(value)r",
    "unknown_sido": "알 수 없는 시도: %(value)r",
    "bad_phone": "전화번호 형식이 아닙니다: %(value)r",
    "bad_homepage": "홈페이지는 http:// 또는 https:// 주소여야 합니다: %(value)r",
    "bad_verified_date": "확인일은 실제 날짜(YYYY-MM-DD)여야 합니다: %(value)r",
    "future_verified_date": "확인일이 미래입니다: %(value)r",
    "lat_lon_together": "위도와 경도는 함께 입력하세요.",
    "correction_empty": "무엇이 틀렸는지 적어 주세요.",
    "correction_too_long": "내용은 %(limit)s자 이내로 적어 주세요.",
    "unknown_correction_status": "알 수 없는 상태입니다.",
    "correction_not_found": "요청을 찾을 수 없습니다.",
    # directory.audit
    "audit_error": "기록을 되돌릴 수 없습니다.",
    "audit_entry_not_found": "기록을 찾을 수 없습니다: %(entry_id)r",
    "already_undone": "이미 되돌린 기록입니다 (#%(entry_id)s).",
    "not_undoable": "이 기록은 되돌릴 수 없습니다: %(table)s",
    "changed_since_conflict": "기록 #%(entry_id)s 이후 같은 항목이 다시 바뀌었습니다. 최근 기록부터 차례로 되돌리세요.",
    "recreated_conflict": "기록 #%(entry_id)s: 같은 항목이 그 사이 다시 만들어져 되돌릴 수 없습니다 (%(detail)s).",
    # directory.accounts
    "account_error": "계정을 만들거나 바꿀 수 없습니다.",
    "user_not_found": "사용자를 찾을 수 없습니다: %(user)r",
    "unknown_role": "알 수 없는 역할: %(role)r (가능: %(roles)s)",
    "password_too_short": "비밀번호는 %(minimum)s자 이상이어야 합니다.",
    "bad_username": "사용자 이름이 올바르지 않습니다: %(username)r (공백 없이 1~64자)",
    "username_taken": "이미 있는 사용자 이름입니다: %(username)r",
    "bad_region": "지역은 '시도' 또는 '시도/시군구' 형식이어야 합니다: %(value)r",
    # directory.search / search_index
    "search_error": "검색 조건을 이해할 수 없습니다.",
    "index_not_ready": "검색 색인을 준비하는 중입니다 (%(reason)s). 잠시 후 다시 시도하세요.",
    "point_not_numbers": "위치는 '위도,경도' 숫자여야 합니다: %(lat)r,%(lon)r",
    "point_outside_korea": "위치가 한국 밖입니다: %(lat)r,%(lon)r (위도 %(lat_low)s–%(lat_high)s, 경도 %(lon_low)s–%(lon_high)s)",
    "bad_point": "위치는 '위도,경도' 형식이어야 합니다: %(value)r",
    "complex_unplaced": "단지의 위치가 등록되어 있지 않습니다: %(name)r",
    "address_too_short": "주소가 너무 짧습니다: %(address)r",
    "address_unknown": "주소를 찾을 수 없습니다: %(address)r",
    "unknown_sort": "정렬은 %(sorts)s 중 하나여야 합니다: %(sort)r",
    "limit_not_integer": "개수는 정수여야 합니다: %(limit)r",
    "limit_out_of_range": "개수는 1–%(maximum)s 사이여야 합니다: %(limit)r",
    "radius_not_a_number": "반경(km)은 숫자여야 합니다: %(radius)r",
    "radius_out_of_range": "반경은 0 초과 500 km 이하여야 합니다: %(radius)r",
    "half_life_out_of_range": "거리 감쇠(반감 거리)는 0 초과 1,000 km 이하의 숫자여야 합니다: %(value)r",
    "radius_needs_place": "반경을 쓰려면 위치(좌표, 단지 또는 주소)가 필요합니다",
    "distance_needs_place": "거리순 정렬에는 위치(좌표, 단지 또는 주소)가 필요합니다",
    # directory.backup (the CLI words storage failures itself, with the path)
    "backup_error": "백업 또는 복원을 할 수 없습니다.",
    "no_store": "데이터베이스가 없습니다: %(path)s",
    "same_file": "백업 파일은 데이터베이스와 다른 파일이어야 합니다: %(path)s",
    "no_backup": "백업 파일이 없습니다: %(path)s",
    "not_sqlite": "SQLite 데이터베이스 파일이 아닙니다: %(path)s",
    "damaged": "백업 파일이 손상되었습니다 (integrity_check: %(detail)s): %(path)s",
    "not_a_store": "연계 데이터베이스의 백업이 아닙니다 (스키마 버전이 없습니다): %(path)s",
    "newer_schema": "더 새로운 프로그램이 만든 백업입니다 (스키마 %(version)s, 이 프로그램은 %(supported)s까지): %(path)s",
    "missing_tables": "연계 데이터베이스의 백업이 아닙니다 (없는 표: %(tables)s): %(path)s",
    "missing_columns": "연계 데이터베이스의 백업이 아닙니다 (없는 열: %(columns)s): %(path)s",
    "migration_failed": "백업을 이 버전의 형식으로 옮길 수 없습니다 (%(detail)s): %(path)s",
    "no_undo": "되돌릴 복원이 없습니다 (%(path)s 이(가) 없습니다).",
    "disk_full": "저장 공간이 부족합니다 (%(path)s). 공간을 비운 뒤 다시 하세요.",
    "read_only": "읽기 전용 위치라 쓸 수 없습니다 (%(path)s).",
    "no_permission": "파일에 쓸 권한이 없습니다 (%(path)s).",
    "io_error": "디스크를 읽거나 쓰다가 오류가 났습니다 (%(path)s). 디스크 상태를 확인하세요.",
    # importers.dedup
    "merge_error": "병합할 수 없습니다.",
    "merge_same_agency": "같은 기관끼리는 병합할 수 없습니다",
    "merge_not_found": "병합 기록을 찾을 수 없습니다: %(merge_id)r",
    "already_split": "이미 분리된 병합입니다: %(merge_id)s",
    "bad_decision": "판정은 same 또는 distinct: %(decision)r",
    # directory.privacy
    "personal_data": "%(where)s에 %(what)s%(shown)s%(particle)s 있습니다. "
                     "입주민의 이름, 주민등록번호, 휴대전화번호, 동·호수 등 개인정보는 적지 마세요.",
    # network.links / network.contacts
    "link_not_found": "연계를 찾을 수 없습니다: %(link_id)r",
    "contact_not_found": "연락 기록을 찾을 수 없습니다: %(contact_id)r",
    "partner_not_found": "%(complex)s 단지의 연계 기관 중에 %(agency)r이(가) 없습니다 (먼저 연계를 만드세요).",
    "ambiguous_partner": "%(agency)r에 해당하는 연계 기관이 여럿입니다; 기관 id로 지정하세요.",
    "unknown_level": "알 수 없는 연락 빈도: %(level)r (1~5)",
    "unknown_frequency_basis": "알 수 없는 빈도 근거: %(value)r (%(known)s 중 하나)",
    "unknown_content_type": "알 수 없는 연계 내용: %(value)r (%(known)s 중 하나)",
    "link_deleted_conflict": "그 사이 다른 사람이 이 연계를 삭제했습니다. 새로 만들려면 다시 시도하세요.",
    "link_conflict": "그 사이 다른 사람이 이 연계를 바꾸었습니다 (읽은 버전 %(expected)s, 현재 %(current_version)s). "
                     "새로 고친 뒤 다시 저장하세요.",
    "note_too_long": "메모는 %(limit)s자 이내로 적어 주세요 (지금 %(length)s자).",
    "bad_date": "날짜 형식이 올바르지 않습니다: %(value)r (예: 2024-05-01)",
    "future_date": "미래 날짜는 기록할 수 없습니다: %(day)s",
    "date_too_early": "%(year)s년 이전 날짜는 기록할 수 없습니다: %(day)s",
    "participants_missing": "참석한 단지와 기관을 하나 이상 고르세요.",
    "too_many_participants": "한 번에 단지·기관을 %(limit)s곳까지 기록할 수 있습니다.",
    "agency_not_partner": "%(agency)s은(는) 고른 단지의 연계 기관이 아닙니다. 먼저 연계 기관으로 추가하세요.",
    "complex_without_these_partners": "%(complex)s 단지는 고른 기관 중 어느 곳과도 연계되어 있지 않습니다.",
    "unknown_meeting_kind": "알 수 없는 모임 종류: %(value)r (%(known)s 중 하나)",
    # network.programmes
    "programme_error": "사업·프로그램을 그대로 기록할 수 없습니다.",
    "programme_not_found": "사업·프로그램을 찾을 수 없습니다: %(programme_id)r",
    "programme_conflict": "그 사이 다른 사람이 이 사업·프로그램을 바꾸었습니다 (읽은 버전 %(expected)s, "
                          "현재 %(current_version)s). 새로 고친 뒤 다시 저장하세요.",
    "programme_name_missing": "사업·프로그램 이름을 적으세요.",
    "programme_name_too_long": "사업·프로그램 이름은 %(limit)s자 이내로 적어 주세요.",
    "bad_programme_date": "기간의 날짜 형식이 올바르지 않습니다: %(value)r (예: 2024-03-01)",
    "programme_ends_before_start": "사업이 끝나는 날(%(ends)s)이 시작하는 날(%(starts)s)보다 앞섭니다.",
    "unknown_programme_role": "알 수 없는 역할: %(value)r (%(known)s 중 하나)",
    "bad_programme_member": "참여 단지·기관을 알 수 없습니다: %(value)r",
    "programme_without_complex": "사업에 참여하는 단지를 하나 이상 고르세요.",
    "too_many_programme_members": "한 사업에 단지·기관을 %(limit)s곳까지 기록할 수 있습니다.",
    "depth_rules_invalid": "연계 깊이 규칙 파일을 읽을 수 없습니다: %(file)s %(row)s행 (%(detail)s)",
    # directory.actors (who may act)
    "action_forbidden": "이 작업을 할 권한이 없습니다.",
    "admin_forbidden": "관리자만 할 수 있습니다.",
    "complex_edit_forbidden": "이 단지의 연계와 연락 기록은 담당자만 고칠 수 있습니다.",
    # directory.sites (complexes and supportive houses, agreements)
    "site_error": "주택·단지 정보를 그대로 저장할 수 없습니다.",
    "site_not_found": "주택·단지를 찾을 수 없습니다: %(site_id)r",
    "site_name_required": "이름을 입력하세요.",
    "site_name_taken": "같은 이름의 단지·주택이 이미 있습니다: %(name)r",
    "unknown_site_kind": "알 수 없는 종류: %(value)r (영구임대주택 또는 지원주택)",
    "site_field_unknown": "고칠 수 없는 항목: %(fields)s",
    "site_field_not_text": "%(label)s은(는) 글자여야 합니다.",
    "site_field_too_long": "%(label)s이(가) 너무 깁니다 (%(limit)s자 이내).",
    "capacity_invalid": "정원은 1~%(maximum)s 사이의 정수여야 합니다: %(value)r",
    "provider_not_found": "서비스제공기관을 찾을 수 없습니다: %(value)r",
    "not_a_supportive_house": "협약은 지원주택에만 기록합니다: %(name)s은(는) 지원주택이 아닙니다.",
    "agreement_not_found": "협약을 찾을 수 없습니다: %(agreement_id)r",
    "agreement_conflict": "그 사이 다른 사람이 이 협약을 바꾸었습니다 (읽은 버전 %(expected)s, 현재 %(current_version)s). "
                          "새로 고친 뒤 다시 저장하세요.",
    "agreement_date_required": "%(label)s을(를) 입력하세요.",
    "agreement_date_invalid": "%(label)s은(는) 실제 날짜(YYYY-MM-DD)여야 합니다: %(value)r",
    "agreement_date_too_early": "%(label)s: %(year)s년 이전 날짜는 기록할 수 없습니다: %(day)s",
    "agreement_end_before_start": "협약 종료일(%(ends)s)은 시작일(%(starts)s)보다 뒤여야 합니다.",
    "notice_in_future": "성과지표 적용 공고일이 미래입니다: %(notice)s",
    "notice_after_end": "성과지표 적용 공고일(%(notice)s)이 협약 종료일(%(ends)s) 이후입니다. "
                        "이 협약 기간에는 지표가 적용되지 않으니 날짜를 확인하세요.",
    "agreement_overlap": "이 주택의 다른 협약(%(starts)s~%(ends)s)과 기간이 겹칩니다.",
    "renewal_not_later": "재협약은 이전 협약(%(starts)s~%(ends)s)보다 뒤에 시작해야 합니다.",
    # directory.indicators (the supportive-housing manual's formulas; no message repeats a resident's answer)
    "indicator_error": "성과지표를 계산할 수 없습니다.",
    "not_one_decimal": "소수점 첫째 자리까지의 값이어야 합니다: %(value)s",
    "count_invalid": "%(label)s은(는) %(low)s 이상의 정수(명)여야 합니다: %(value)r",
    "retention_sum_mismatch": "총 입주민 규모(A) %(total)s명은 지속거주 입주민(B) %(continuing)s명과 퇴거자(C) "
                              "%(exited)s명의 합(%(sum)s명)과 같아야 합니다. 인원을 다시 확인하세요.",
    "exits_sum_mismatch": "퇴거자 소계(C) %(exited)s명이 퇴거 사유별 인원의 합(%(sum)s명)과 다릅니다.",
    "continuing_over_capacity": "지속거주 입주민(B) %(continuing)s명이 정원 %(capacity)s명보다 많습니다.",
    "unknown_exit_kind": "알 수 없는 퇴거 사유: %(value)r (%(known)s 중 하나)",
    "evaluation_before_start": "평가 기준일(평가 시점 전월 말, %(base)s)이 협약 시작일(%(starts)s)보다 앞섭니다.",
    "unknown_indicator": "알 수 없는 성과지표: %(value)r",
    "people_over_residents": "%(year)s: %(label)s %(people)s명이 총 입주민 규모(A) %(residents)s명보다 많습니다.",
    "answers_count": "%(scale)s 응답은 %(expected)s문항이어야 합니다 (받은 응답 %(got)s개).",
    "answer_missing": "%(scale)s 문항 %(item)s의 응답이 비어 있습니다.",
    "isolation_answer_invalid": "외로움과 사회적 고립 척도 문항 %(item)s의 응답을 읽을 수 없습니다. "
                                "보기(%(choices)s) 중 하나로 적으세요.",
    "audit_answer_invalid": "AUDIT-K 문항 %(item)s의 응답은 %(choices)s점 중 하나여야 합니다.",
    "audit_total_invalid": "AUDIT-K 총점은 0~%(maximum)s점이어야 합니다.",
    "sex_invalid": "성별은 남 또는 여로 적으세요.",
    "unknown_evaluation_indicator": "알 수 없는 세부지표 번호: %(value)r (1~%(count)s)",
    "grade_invalid": "세부지표 %(number)s(%(name)s)의 평점은 %(choices)s 중 하나여야 합니다: %(value)r",
    "grade_no_average": "세부지표 %(number)s(%(name)s)에는 '보통'이 없습니다(X). 우수 또는 미흡으로 평가하세요.",
    "bonus_invalid": "평가단 가점은 0~%(maximum)s점 정수여야 합니다: %(value)r",
    "opinion_not_graded": "세부지표 %(number)s(종합소견)은 점수가 아니라 글로 적습니다.",
    "opinion_too_long": "종합소견은 %(limit)s자 이내로 적어 주세요.",
    "committee_score_invalid": "위원 점수는 0~100 사이, 소수점 첫째 자리까지의 숫자여야 합니다: %(value)r",
    "committee_size": "심의위원 %(expected)s명의 점수가 필요합니다 (받은 점수 %(got)s개).",
    # directory.outcomes (a house's indicator counts, scored sheets as aggregates, reasons)
    "outcome_error": "성과지표 자료를 그대로 기록할 수 없습니다.",
    "no_agreement": "%(name)s에는 협약이 없습니다. 먼저 협약을 기록하세요.",
    "indicators_not_applied": "협약(%(starts)s~%(ends)s)에 성과지표 적용 공고일이 없습니다. "
                              "협약에 서울시 공고일을 기록하면 그해부터 산출합니다.",
    "evaluation_month_invalid": "평가 시점은 YYYY-MM 형식의 달이어야 합니다: %(value)r",
    "evaluation_base_in_future": "평가 기준일(평가 시점 전월 말, %(base)s)이 아직 지나지 않았습니다.",
    "year_invalid": "연도는 네 자리 숫자여야 합니다: %(value)r",
    "year_outside_agreement": "%(year)s년은 협약 기간(%(starts)s~%(ends)s) 밖입니다.",
    "year_before_notice": "%(year)s년은 성과지표 적용 공고(%(notice)s) 이전이라 산출하지 않습니다. "
                          "%(first)s년부터 기록하세요.",
    "year_in_future": "%(year)s년은 아직 오지 않았습니다.",
    "unknown_instrument": "알 수 없는 척도: %(value)r (isolation 또는 audit)",
    "unknown_wave": "측정 시기는 사전 또는 사후여야 합니다: %(value)r",
    "no_sheets": "기록할 응답지가 없습니다.",
    "too_many_sheets": "응답지가 너무 많습니다 (한 번에 %(limit)s장 이내).",
    "sheet_invalid": "%(sheet)s번째 응답지: %(detail)s",
    "withdraw_not_recorded": "%(scale)s %(wave)s 측정에 이 응답지가 기록되어 있지 않습니다 (빼면 합계가 맞지 않습니다). "
                             "처음 기록한 응답 그대로 입력하세요.",
    "reason_not_text": "사유는 글자여야 합니다.",
    "reason_too_long": "사유는 %(limit)s자 이내로 적어 주세요 (지금 %(length)s자).",
    "outcome_conflict": "그 사이 다른 사람이 이 자료를 바꾸었습니다 (읽은 버전 %(expected)s, 현재 %(current_version)s). "
                        "새로 고친 뒤 다시 저장하세요.",
    "outcome_read_forbidden": "이 주택의 성과지표는 주택 담당자, 시 평가 담당, 관리자만 볼 수 있습니다.",
    "sheet_file_undecodable": "응답지 파일의 문자 인코딩을 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR) CSV여야 합니다.",
    "sheet_file_empty": "응답지 파일이 비어 있습니다.",
    "sheet_columns_missing": "%(scale)s 응답지 파일에 %(items)s 열이 없습니다 (머리글: 문항1, 문항2 …).",
    "sheet_sex_column_missing": "AUDIT-K 응답지 파일에는 성별 열이 있어야 합니다 (남/여).",
    "agreement_has_outcomes": "이 협약에는 성과지표 자료가 기록되어 있어 삭제할 수 없습니다 "
                              "(응답지는 보관하지 않으므로 다시 입력할 수 없습니다).",
    # network.recommend / measures / report / gaps
    "need_missing": "필요(유형 또는 낱말)를 입력하세요. 예: 치매, 술, 일자리, 장애인복지관",
    "unknown_need": "알 수 없는 필요입니다: %(need)r. 기관 유형(예: 치매안심센터)이나 낱말(%(words)s …)을 쓰세요.",
    "unknown_diversity_index": "알 수 없는 다양성 지수: %(index)r (shannon 또는 simpson)",
    "unknown_report_level": "알 수 없는 수준: %(level)r (agency 또는 type)",
    "unknown_report_table": "알 수 없는 표: %(table)r (agencies, complexes, types, gaps)",
    "bad_threshold": "%(file)s %(row)s행: threshold 가 숫자가 아닙니다: %(value)r",
    # network.sociogram (issue 11)
    "sociogram_error": "연계망 그림을 그릴 수 없습니다.",
    "sociogram_bad_radius": "이웃 범위는 1–%(maximum)s 사이의 정수여야 합니다: %(radius)r",
    "sociogram_bad_level": "연락 빈도는 1–5 사이의 정수여야 합니다: %(level)r",
    # network.snapshots (issue 11)
    "snapshot_error": "연계망 기록을 만들거나 비교할 수 없습니다.",
    "snapshot_not_found": "연계망 기록을 찾을 수 없습니다: %(snapshot_id)r",
    "snapshot_sigungu_without_sido": "시군구(%(sigungu)s)만으로는 지역을 정할 수 없습니다. 시도도 함께 적으세요.",
    "snapshot_no_complexes": "이 지역에는 단지가 없습니다: %(sido)s %(sigungu)s",
    "snapshot_scopes_differ": "같은 단지(또는 같은 지역)의 기록끼리만 비교할 수 있습니다: #%(first)s, #%(second)s",
    "snapshot_bad_date": "기록 날짜는 2000년 이후의 실제 날짜(YYYY-MM-DD)여야 합니다: %(value)r",
    "snapshot_future_date": "기록 날짜가 미래입니다: %(value)s",
    # network.access (the E2SFCA measure)
    "access_error": "접근성을 계산할 수 없습니다.",
    "unknown_population_level": "알 수 없는 단위: %(level)r (sigungu 또는 eupmyeondong)",
    "population_file_unreadable": "인구 파일을 읽을 수 없습니다: %(path)r (%(detail)s)",
    "not_population_file": "연령별 인구 파일 형식이 아닙니다: %(path)r",
    "access_radius_not_positive": "반경과 감쇠 폭은 0보다 커야 합니다: 반경 %(radius_m)s m, 감쇠 폭 %(sigma_m)s m",
    "unknown_access_level": "알 수 없는 단위: %(level)r (%(levels)s 중 하나)",
    "access_not_numbers": "반경과 감쇠 폭은 숫자여야 합니다: 반경 %(radius)r, 감쇠 폭 %(sigma)r",
    "access_out_of_range": "반경과 감쇠 폭은 0보다 크고 1000 km 이하여야 합니다: "
                           "반경 %(radius)s km, 감쇠 폭 %(sigma)s km, 기관 없음 판정 거리 %(flag)s km",
    "agency_coordinates_invalid": "기관 %(agency_id)r의 좌표가 올바르지 않습니다: lat=%(lat)r, lon=%(lon)r",
    "no_boundaries_for_complexes": "단지 단위 결과에는 경계 지도가 없습니다",
    "unknown_category": "알 수 없는 분야: %(value)r",
    "no_supply_chosen": "접근성을 볼 기관 유형이나 분야를 고르세요.",
    # network.demand and importers.demand_table (the demand a planner chooses)
    "demand_error": "수요 자료를 쓸 수 없습니다.",
    "unknown_demand": "알 수 없는 수요: %(value)r (%(known)s 중 하나)",
    "demand_not_at_level": "%(demand)s 자료는 시군구 단위만 있습니다. 단위를 시군구로 바꾸세요.",
    "demand_file_unreadable": "수요 자료 파일을 읽을 수 없습니다: %(path)s",
    "demand_no_area_column": "%(name)s: 지역을 알 수 있는 열이 없습니다. 행정코드, 또는 시도와 시군구(읍면동) 열이 있어야 합니다. 있는 열: %(headers)s",
    "demand_no_value_column": "%(name)s: 수요로 쓸 숫자 열이 없습니다. 있는 열: %(headers)s",
    "demand_column_not_found": "%(name)s: %(column)r 열이 없습니다. 있는 열: %(headers)s",
    "demand_column_not_numbers": "%(name)s: %(column)r 열에 숫자가 아닌 값이 많습니다 (예: %(example)r). 수요로 쓸 숫자 열을 고르세요.",
    "demand_no_rows": "%(name)s: 수요로 쓸 수 있는 행이 없습니다 (잘못된 행 %(rejected)s개).",
    "demand_personal_data": "%(name)s %(row)s행: 개인정보로 보이는 값이 있어 파일을 받지 않았습니다 (%(what)s). 지역별 합계만 올리세요.",
    "demand_empty_table": "%(name)s: 머리글(%(headers)s)만 있고 자료 행이 없습니다.",
    "demand_ambiguous_value_column": "%(name)s: 숫자 열이 여러 개라 어느 것이 수요인지 알 수 없습니다 (%(columns)s). 수요 열 이름을 적어 주세요.",
    "demand_table_too_coarse": "%(name)s: 시군구별 표라 읍면동별로 나눌 수 없습니다. 단위를 '표에 맞춤'이나 시군구로 고르세요.",
    "demand_value_not_number": "수요 값이 0 이상의 숫자가 아닙니다: %(value)r",
    "demand_row_no_area": "지역(행정코드 또는 시도·시군구)이 비어 있습니다",
    # network.compare (districts side by side)
    "compare_error": "시군구를 비교할 수 없습니다.",
    "compare_count": "비교할 시군구는 %(low)s–%(high)s곳이어야 합니다 (지금 %(n)s곳).",
    "compare_bad_district": "시군구는 '시도/시군구'로 적으세요 (예: 서울특별시/강서구): %(value)r",
    "compare_unknown_sido": "알 수 없는 시도입니다: %(value)r",
    "compare_unknown_district": "인구 자료에 없는 시군구입니다: %(sido)s %(sigungu)s",
    # maps
    "map_error": "지도를 그릴 수 없습니다.",
    "map_coordinates_not_numbers": "%(what)s: 좌표가 숫자가 아닙니다: lat=%(lat)r, lon=%(lon)r",
    "map_coordinates_out_of_range": "%(what)s: 좌표가 범위를 벗어났습니다: lat=%(lat)r, lon=%(lon)r",
    "unknown_tiles": "알 수 없는 타일 설정: %(setting)r (%(detail)s)",
    "no_complexes_in_district": "해당 지역에 단지가 없습니다: %(sido)r %(sigungu)r",
    "agency_not_placed": "기관의 위치 정보가 없습니다: %(name)r",
    "asset_missing": "지도에 필요한 파일의 로컬 사본이 없습니다.",
    "unknown_asset_package": "알 수 없는 자산 패키지: %(package)r",
    "asset_file_missing": "자산 파일이 없습니다: %(package)r %(path)r",
    "folium_icon_offline": "folium.Icon 은 오프라인 자산이 없어 사용할 수 없습니다 (DivIcon 이나 CircleMarker 를 쓰세요).",
    "asset_not_local": "로컬 사본이 없는 외부 자산: %(name)r %(url)r",
    # importers (reading, tabular, study, HSDS, placement, the import report); `name` is the file's name
    "import_format_error": "가져올 수 없는 파일입니다.",
    "import_limit_error": "파일이 한 번에 가져올 수 있는 크기를 넘습니다.",
    "too_many_rows": "%(name)s: 행이 너무 많습니다 (한 파일 최대 %(limit)s행). 파일을 나누어 가져와 주세요.",
    "too_many_cells": "%(name)s: 칸이 너무 많습니다 (한 파일 최대 %(limit)s칸). 파일을 나누어 가져와 주세요.",
    "too_many_columns": "%(name)s: 한 행의 열이 너무 많습니다 (%(count)s개, 최대 %(limit)s개). "
                        "기관 목록이 맞는지 확인해 주세요.",
    "too_slow": "%(name)s: 파일을 읽는 데 %(limit)s초가 넘게 걸려 중단했습니다. 파일을 나누거나 CSV로 저장해 주세요.",
    "undecodable": "%(name)s: 문자 인코딩을 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR) 파일이어야 합니다.",
    "undecodable_guess": "%(name)s: 문자 인코딩을 읽을 수 없습니다 (추정: %(guess)s). "
                         "UTF-8 또는 CP949(EUC-KR) 파일이어야 합니다.",
    "file_unreadable": "파일을 열 수 없습니다: %(path)s (%(detail)s)",
    "utf16_file": "%(name)s: UTF-16 파일입니다. UTF-8 또는 CP949(EUC-KR) CSV로 저장해 주세요.",
    "binary_file": "%(name)s: 텍스트(CSV) 파일이 아닙니다 (이진 파일).",
    "empty_file": "%(name)s: 빈 파일입니다.",
    "unsupported_file": "%(name)s: 지원하지 않는 파일 형식입니다. "
                        "CSV, XLSX, HTML(.xls) 또는 HSDS datapackage.json이어야 합니다 (%(known)s).",
    "legacy_xls": "%(name)s: Excel 97-2003(.xls) 이진 파일입니다. Excel에서 .xlsx 또는 CSV로 저장해 주세요.",
    "xlsx_unreadable": "%(name)s: XLSX 파일을 읽을 수 없습니다 (%(detail)s)",
    "empty_workbook": "%(name)s: 빈 통합 문서입니다.",
    "no_html_table": "%(name)s: 표(<table>)가 없는 파일입니다. CSV 또는 XLSX로 저장해 주세요.",
    "complexes_columns_missing": "%(name)s: 단지 파일에는 complex, households, resident_profile 열이 있어야 합니다 "
                                 "(찾은 열: %(headers)s)",
    "mapping_error": "목록의 열을 기관 정보에 대응시킬 수 없습니다.",
    "unknown_synonym_field": "column_synonyms.csv: 알 수 없는 필드 %(fields)s",
    "unknown_field": "알 수 없는 필드: %(field)r. 가능한 필드: %(fields)s",
    "missing_header": "열 %(header)r이(가) 없습니다. 찾은 열: %(headers)s",
    "bad_mapping_line": "대응 %(number)s행을 읽을 수 없습니다: %(line)r (형식: name=기관이름)",
    "mapping_file_unreadable": "대응 파일을 열 수 없습니다: %(path)s (%(detail)s)",
    "no_name_column": "%(name)s: 알 수 없는 목록입니다 — 기관명 열을 찾지 못했습니다. 찾은 열: %(headers)s. "
                      "--map name=열이름 또는 --mapping 파일로 지정해 주세요. 지원: %(known)s.",
    "near_miss_no_name_column": "%(name)s: %(dataset)s의 필수 열이 없습니다: %(missing)s. "
                                "%(name)s: 알 수 없는 목록입니다 — 기관명 열을 찾지 못했습니다. 찾은 열: %(headers)s. "
                                "--map name=열이름 또는 --mapping 파일로 지정해 주세요. 지원: %(known)s.",
    "personal_columns": "%(name)s: 개인정보로 보이는 열(%(columns)s)이 있어 가져오지 않습니다. "
                        "연계는 기관 목록만 저장합니다 (주민의 이름·나이·진단은 저장하지 않음). 지원: %(known)s.",
    "hsds_error": "HSDS 패키지를 읽을 수 없습니다.",
    "hsds_unreadable": "%(name)s: datapackage.json을 읽을 수 없습니다 (%(detail)s)",
    "not_hsds": "%(name)s: HSDS 패키지가 아닙니다 (없는 표: %(tables)s)",
    "import_run_not_found": "가져오기 기록을 찾을 수 없습니다: %(run_id)r",
    "geocoder_config_error": "지오코더 설정이 올바르지 않습니다.",
    "pelias_needs_domain": "Pelias에는 서버 주소(--geocoder-domain)가 필요합니다.",
    "unknown_geocoder": "알 수 없는 지오코더: %(name)r (nominatim, photon, pelias 중 하나)",
    "coordinate_error": "좌표가 대한민국 안의 위치가 아닙니다.",
    "coordinates_outside_korea": "좌표가 대한민국 밖입니다: 위도 %(lat)s, 경도 %(lon)s",
    "coordinates_unreadable": "좌표를 해석할 수 없습니다: Y %(lat)s, X %(lon)s",
    "coordinate_not_a_number": "좌표가 숫자가 아닙니다: %(text)r",
    # importers: why a row is quarantined (the reason is stored in Korean, with the row)
    "row_error": "이 행을 가져올 수 없습니다.",
    "unclosed_quote": "닫히지 않은 따옴표(\")가 있는 행입니다 — 이 행만 따로 두고 다음 행부터 다시 읽었습니다",
    "agency_name_empty": "기관명이 비어 있습니다",
    "agency_name_too_long": "기관명이 너무 깁니다 (%(length)s자, 최대 %(limit)s자)",
    "capacity_not_a_number": "정원이 숫자가 아닙니다: %(value)r",
    "staff_not_a_number": "인원수가 숫자가 아닙니다: %(value)r",
    "unknown_frequency": "알 수 없는 연락 빈도: %(value)r (●◕◒◔○, 수시/연 9회 이상…, 또는 연간 횟수)",
    "not_a_number": "숫자가 아닙니다: %(value)r",
    # directory.emergency (긴급복지 주거지원 선별)
    "emergency_error": "긴급지원 선별을 할 수 없습니다.",
    "bad_threshold_file": "긴급지원 기준 자료를 읽을 수 없습니다: %(file)s (%(detail)s)",
    "no_thresholds": "%(year)s년 또는 그 이전의 긴급지원 기준 자료가 없습니다 — 129에 확인하세요.",
    "unknown_reason": "알 수 없는 위기사유: %(reason)r (가능: %(reasons)s)",
    "bad_household_size": "가구원 수는 1~%(maximum)s 사이의 정수여야 합니다: %(value)r",
    "unknown_region_type": "지역은 %(types)s 중 하나여야 합니다: %(value)r",
    "unknown_region": "지역을 찾을 수 없습니다: %(region)s",
    "bad_amount": "%(label)s은(는) 원 단위 금액이어야 합니다 (예: 1,794,000 또는 179만4천): %(value)r",
    "amount_out_of_range": "%(label)s이(가) 입력할 수 있는 범위를 벗어났습니다: %(value)s원",
    # directory.playbooks (procedures as data)
    "playbook_error": "절차를 읽을 수 없습니다.",
    "unknown_playbook": "알 수 없는 절차: %(playbook)r (있는 절차: %(known)s)",
    "bad_playbook": "절차 파일을 읽을 수 없습니다: %(file)s %(row)s행 (%(detail)s)",
    "bad_period": "기한은 0d, 3d, 2w, 1m 같은 형식이어야 합니다: %(period)r",
    "bad_answer": "%(label)s: 알 수 없는 답입니다: %(value)r (예, 아니오 또는 모름)",
    "unknown_answer": "알 수 없는 항목: %(fields)s (가능: %(known)s)",
    # directory.house_procedures (a supportive house's procedures as playbooks)
    "procedure_error": "절차를 계획할 수 없습니다.",
    "unknown_procedure": "알 수 없는 지원주택 절차: %(procedure)r (있는 절차: %(known)s)",
    "unknown_procedure_situation": "이 절차에 없는 상황입니다: %(situation)r (가능: %(known)s)",
    "procedure_start_invalid": "시작일은 2025-03-01 같은 날짜여야 합니다: %(value)r",
}

# How a number parameter is written, by code and parameter (format()'s spec):
# a file's limits read "1,000,000", in every language, while `params` keep
# the number itself for the shells and tests.
FORMATS: dict[str, dict[str, str]] = {
    "too_many_rows": {"limit": ","},
    "too_many_cells": {"limit": ","},
    "too_many_columns": {"count": ",", "limit": ","},
    "too_slow": {"limit": "g"},
    "agency_name_too_long": {"length": ","},
}


class _Params(dict):
    """Template parameters; a missing one shows as ? rather than failing the error message itself."""

    def __missing__(self, key):
        return "?"


def render(code: str, params: dict | None = None, translate=None) -> str:
    """The sentence for `code` with `params`; `translate` (a gettext) picks the language, Korean without.

    >>> render("link_not_found", {"link_id": 5})
    '연계를 찾을 수 없습니다: 5'
    >>> render("no_such_code", {"x": 1})
    'no_such_code (x=1)'
    """
    params = dict(params or {})
    for key, spec in FORMATS.get(code, {}).items():
        if isinstance(params.get(key), (int, float)):
            params[key] = format(params[key], spec)
    template = MESSAGES.get(code)
    if template is None:
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{code} ({detail})" if detail else code
    if translate is not None:
        template = translate(template)
        for key in LABEL_PARAMS & params.keys():
            if isinstance(params[key], str) and params[key]:
                params[key] = translate(params[key])
    try:
        return template % _Params(params)
    except (TypeError, ValueError):  # a template and its parameters disagree: say the code, never crash
        return f"{code} {params!r}"
