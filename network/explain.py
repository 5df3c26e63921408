"""What each measure means for a team lead, in one Korean sentence.

Data, not code: reports and pages look a measure's key up in EXPLAIN.

>>> "단지" in EXPLAIN["reach"]
True
"""
from __future__ import annotations

__all__ = ["EXPLAIN", "LABELS", "explain", "with_particle"]

# Short Korean column headings for tables.
LABELS = {
    "reach": "연계 단지 수",
    "weighted_degree": "가중 연결정도",
    "degree_centrality": "연결 중심성",
    "betweenness": "매개 중심성",
    "eigenvector": "위세(고유벡터) 중심성",
    "link_share": "연계 점유율",
    "partners": "연계 기관 수",
    "categories": "포괄 분야 수",
    "diversity_shannon": "분야 다양성(섀넌)",
    "diversity_simpson": "분야 다양성(심프슨)",
    "mean_weight": "평균 연락 강도",
    "jaccard": "협력망 유사도(자카드)",
    "density": "밀도",
    "centralization": "연결 집중도",
    "components": "연결 묶음 수",
    "shared_by_all": "모든 단지 공통 기관",
}

EXPLAIN = {
    "reach": "이 기관과 연계한 단지의 수입니다. 많을수록 여러 단지가 함께 기대는 기관이라, 담당자가 바뀌거나 사업이 끊기면 영향이 큽니다.",
    "weighted_degree": "이 기관과 연계한 단지들의 연락 빈도 가중치를 모두 더한 값입니다(수시=5 … 연 2회 이하=1). 단지 수와 연락 횟수를 함께 반영하므로, 실제로 가장 자주 함께 일하는 기관이 위에 옵니다.",
    "degree_centrality": "이 기관과 연계한 단지가 전체 단지 중 몇 퍼센트인지(0~1)입니다. 1이면 모든 단지가 이 기관과 일합니다.",
    "betweenness": "서로 다른 단지들을 잇는 최단 경로에 이 기관이 얼마나 자주 놓이는지(0~1)입니다. 높으면 이 기관을 통해 단지 간 정보와 자원이 오가는 다리 역할을 합니다.",
    "eigenvector": "자주 연락하는 단지, 그리고 연결이 많은 단지와 이어진 기관일수록 높은 값(0~1)입니다. 네트워크 안에서 영향력이 큰 기관을 보여줍니다.",
    "link_share": "전체 연계 건수 중 이 기관이 차지하는 비율입니다. 몇몇 기관에 연계가 몰려 있는지 봅니다.",
    "partners": "이 단지가 연계하고 있는 기관의 수입니다. 연구의 여섯 단지는 9~13곳과 연계했습니다.",
    "categories": "일곱 분야(공공기관·복지기관·보건의료·자원봉사·일자리·모임·기타) 중 이 단지가 연계 기관을 가진 분야의 수입니다. 빈 분야는 입주민 요구에 대응할 통로가 없다는 뜻일 수 있습니다.",
    "diversity_shannon": "연계 기관이 여러 분야에 고르게 퍼져 있는 정도(섀넌 지수, 0~1.95)입니다. 0이면 한 분야에만 몰려 있고, 높을수록 고르게 다양합니다.",
    "diversity_simpson": "무작위로 고른 두 연계 기관이 서로 다른 분야일 확률(심프슨 지수, 0~1)입니다.",
    "mean_weight": "이 단지의 연계 기관과의 평균 연락 강도(1~5)입니다. 5에 가까우면 대부분 수시로 연락합니다.",
    "jaccard": "이 단지와 다른 단지가 함께 연계한 기관의 비율(자카드 지수, 0~1)입니다. 1에 가까우면 두 단지의 협력망이 거의 같아 공동 사업이나 정보 공유가 쉽습니다.",
    "density": "모든 단지가 모든 기관과 연계했을 때를 1로 보았을 때 실제 연계의 비율입니다.",
    "centralization": "연계가 소수의 기관에 몰린 정도(0~1)입니다. 높으면 몇몇 기관이 지역 전체를 떠받치고 있다는 뜻입니다.",
    "components": "서로 연결되지 않은 묶음의 수입니다. 1이면 모든 단지가 공통 기관을 통해 이어져 있습니다.",
    "shared_by_all": "모든 단지가 빠짐없이 연계한 기관입니다. 이 기관들과의 협력이 지역 연계의 바탕입니다.",
    "gaps_peer": "비슷한 단지들(같은 시군구, 적으면 같은 시도) 대부분이 연계하는데 이 단지는 아직 연계하지 않은 기관 유형입니다.",
    "gaps_category": "연계 기관이 하나도 없는 분야입니다.",
    "gaps_profile": "입주민 특성(고령·장애·알코올·저장강박 등)으로 보아 필요한데 연계가 없는 기관 유형입니다. 기준은 data/reference/gap_rules.csv 에 있습니다.",
    "load": "여러 단지를 함께 맡고 있는 기관입니다. 업무가 몰려 있을 수 있으니 협의 창구를 모아 두면 좋습니다.",
    "similar_pairs": "협력망이 거의 같은 단지 쌍입니다. 통합사례회의나 공동 사업을 함께 열기 좋은 짝입니다.",
    "same_type": "같은 유형의 기관이 가까이에서 같은 단지(또는 같은 지역의 단지)를 나누어 맡고 있습니다. 대상 중첩·혼선이 없도록 역할을 나누어야 할 수 있습니다.",
}


def explain(key: str) -> str:
    """The Korean sentence for a measure key, or an empty string.

    >>> explain("없는지표")
    ''
    """
    return EXPLAIN.get(key, "")


def with_particle(word: str) -> str:
    """The word with 와 or 과, chosen by its last syllable's final consonant.

    >>> with_particle("치매안심센터"), with_particle("사회복지관")
    ('치매안심센터와', '사회복지관과')
    """
    last = (word or " ")[-1]
    if "가" <= last <= "힣":
        return word + ("과" if (ord(last) - 0xAC00) % 28 else "와")
    return f"{word}와(과)"
