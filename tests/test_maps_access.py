"""E2SFCA accessibility: the numbers, the population file, the boundary join, the ranked table."""
from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest

from maps.access import access_map
from maps.assets import standalone_html
from network.access import (
    AccessError,
    accessibility,
    e2sfca,
    join_boundaries,
    least_served,
    load_population,
    write_ranked_csv,
)


def _small_case(seed=3):
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, 30_000, (8, 2))
    supply_xy = rng.uniform(0, 30_000, (4, 2))
    demand = rng.integers(100, 5000, 8).astype(float)
    supply = np.array([1.0, 3.0, 2.0, 1.0])
    return demand_xy, demand, supply_xy, supply


def _pysal_access(demand_xy, demand, supply_xy, supply, radius, sigma):
    """The same case through PySAL's `access` package (a test-only dependency)."""
    pd = pytest.importorskip("pandas")
    access = pytest.importorskip("access")
    dem = pd.DataFrame({"geoid": range(len(demand)), "pop": demand})
    sup = pd.DataFrame({"geoid": range(100, 100 + len(supply)), "cap": supply})
    cost = pd.DataFrame(
        [(i, 100 + j, float(np.hypot(*(demand_xy[i] - supply_xy[j]))))
         for i in range(len(demand)) for j in range(len(supply))],
        columns=["origin", "dest", "cost"])
    with warnings.catch_warnings():
        # access 1.1.10 calls pandas APIs that pandas 3.1 deprecates (set_index(inplace=True));
        # the warning is theirs, not ours.
        warnings.simplefilter("ignore")
        model = access.Access(demand_df=dem, demand_index="geoid", demand_value="pop", supply_df=sup,
                              supply_index="geoid", supply_value="cap", cost_df=cost, cost_origin="origin",
                              cost_dest="dest", cost_name="cost")
        if sigma is None:
            result = model.two_stage_fca(name="fca", max_cost=radius)
        else:
            result = model.enhanced_two_stage_fca(name="fca", max_cost=radius,
                                                  weight_fn=access.weights.gaussian(sigma))
    return result.sort_index().iloc[:, 0].fillna(0).to_numpy()


@pytest.mark.parametrize("sigma", [7_500.0, 3_000.0, None])
def test_e2sfca_matches_pysal_access(sigma):
    demand_xy, demand, supply_xy, supply = _small_case()
    ours, _, _ = e2sfca(demand_xy, demand, supply_xy, supply, radius_m=15_000, sigma_m=sigma)
    theirs = _pysal_access(demand_xy, demand, supply_xy, supply, 15_000, sigma)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)
    assert ours.max() > 0


def test_e2sfca_by_hand():
    # One agency between two equal villages: each gets half of it.
    access, nearest, within = e2sfca([[0, 0], [2000, 0], [50_000, 0]], [100, 100, 100], [[1000, 0]], [1],
                                     radius_m=5000, sigma_m=None)
    assert access.tolist() == [0.005, 0.005, 0.0]
    assert nearest.tolist() == [1000.0, 1000.0, 49_000.0]
    assert within.tolist() == [1, 1, 0]


def test_e2sfca_keeps_pairs_at_distance_zero():
    access, _, _ = e2sfca([[0, 0]], [10], [[0, 0]], [2], radius_m=1000, sigma_m=500)
    assert access.tolist() == [0.2]


def test_e2sfca_rejects_bad_parameters():
    with pytest.raises(AccessError):
        e2sfca([[0, 0]], [1], [[0, 0]], [1], radius_m=0)


def test_population_by_sigungu_counts_each_person_once():
    areas = load_population(level="sigungu")
    codes = [a["code"] for a in areas]
    assert len(codes) == len(set(codes))
    names = {a["name"] for a in areas}
    assert "경기도 수원시 장안구" in names and "경기도 수원시" not in names  # 일반구, not the city
    assert sum(a["name"] == "세종특별자치시" for a in areas) == 1  # 세종 listed twice in the file
    assert not any("출장소" in a["name"] for a in areas)  # zero-population rows
    jongno = next(a for a in areas if a["code"] == "1111000000")
    assert 20_000 < jongno["demand"] < jongno["total"]
    assert 9_000_000 < sum(a["demand"] for a in areas) < 12_000_000  # Korea's 65+ in 2025: about 10.5 million


def test_population_by_eupmyeondong():
    areas = load_population(level="eupmyeondong")
    assert 3_500 <= len(areas) <= 3_616
    assert all(a["eupmyeondong"] for a in areas)


def test_population_file_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="cp949")
    with pytest.raises(AccessError, match="형식"):
        load_population(bad)
    with pytest.raises(AccessError, match="단위"):
        load_population(level="dong")


def test_sigungu_join_report(demo_db):
    result = accessibility(demo_db, "치매안심센터", level="sigungu")
    geojson, report = join_boundaries(result)
    assert report["boundaries"] == 250
    assert report["unmatched_boundaries"] == []
    assert report["unmatched_areas"] == []
    joined = report["joined"]
    # 2022 boundaries, 2025 codes: 강원·전북 renumbered (names), 군위군 moved (unique name),
    # 부천시 split into three 구 (aggregate).
    assert joined["code"] > 200 and joined["name"] > 20
    assert joined["unique_name"] == 1 and joined["aggregate"] == 1
    assert all("yg_score" in f["properties"] for f in geojson["features"])


def test_dong_join_report_lists_what_did_not_join(demo_db):
    result = accessibility(demo_db, "치매안심센터", level="eupmyeondong")
    _, report = join_boundaries(result)
    assert report["boundaries"] == 425
    assert report["joined"]["code"] > 400
    # Seoul 행정동 that changed between 2021 and 2025 are listed, on both sides.
    assert any("일원2동" in x for x in report["unmatched_boundaries"])
    assert any("개포3동" in x for x in report["unmatched_areas"])
    assert all(x.startswith("서울특별시") for x in report["unmatched_areas"])


def test_dementia_access_by_sigungu_and_ranked_csv(demo_db, tmp_path):
    result = accessibility(demo_db, "치매안심센터", level="sigungu")
    assert len(result.supply) > 250 and all(s["placement"] != "sample" for s in result.supply)
    worst = least_served(result, 10)
    assert [r["rank"] for r in worst] == list(range(1, 11))
    assert worst[0]["score"] <= worst[-1]["score"]
    zero = [r for r in result.rows if r["score"] == 0]
    assert all(r["none_within"] for r in zero)
    path = write_ranked_csv(result, tmp_path / "ranked.csv")
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "순위" and rows[1][0] == "1"
    assert len(rows) == len([r for r in result.rows if r["score"] is not None]) + 1


def test_access_by_complex_households(demo_db):
    result = accessibility(demo_db, "치매안심센터", level="complexes")
    assert len(result.rows) == 6 and all(r["score"] is not None for r in result.rows)
    html = standalone_html(access_map(result, tiles="none"))
    assert "표본 위치 (실제 위치 아님)" in html


def test_access_parameters_are_checked(demo_db):
    with pytest.raises(AccessError, match="유형"):
        accessibility(demo_db, "없는 유형")
    with pytest.raises(AccessError):
        accessibility(demo_db, "치매안심센터", radius_km=-5)
    with pytest.raises(AccessError):
        accessibility(demo_db, "치매안심센터", level="도")


def test_access_map_is_a_choropleth_with_legend(demo_db):
    result = accessibility(demo_db, "치매안심센터", level="sigungu")
    html = standalone_html(access_map(result, tiles="none"))
    assert "하위 1. " in html and "반경 15 km" in html
    assert '"yg_score"' in html


def test_sigungu_demand_sits_where_the_elderly_live(demo_db):
    from network.access import _centroids

    result = accessibility(demo_db, "치매안심센터", level="sigungu")
    pohang = next(r for r in result.rows if r["name"] == "경상북도 포항시 북구")
    assert pohang["centre"] == "population"
    geometric = _centroids()[0]["4711300000"]
    # The population centre lies south, towards the city, of the mountainous geometric centre.
    assert pohang["lat"] < geometric[0] - 0.05
    assert pohang["nearest_km"] < 10


def test_a_wide_radius_with_a_narrow_sigma_does_not_overflow():
    # 500 km with σ 2.5 km: weights far out are ~1e-87, a catchment of them would be denormal.
    import warnings

    import numpy as np

    from network.access import _e2sfca

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        access, nearest, within, _ = _e2sfca([[0, 0], [400_000, 0], [450_500, 0]], [10, 10, 5],
                                             [[450_000, 0]], [1], radius_m=500_000, sigma_m=2_500)
    assert np.isfinite(access).all()
    assert access[0] == access[1] == 0.0 and access[2] > 0
