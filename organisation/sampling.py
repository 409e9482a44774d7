"""The 评估调研 sample: a reproducible, stratified random draw.

1. Townships per county in proportion to the county's number of townships (largest remainder,
   at least one per county while there are enough to go round).
2. Villages per sampled township: the same share each, the remainder to the townships with the
   most villages; inside a township the villages are taken across the income tiers (弱村, 中间村,
   强村 by the tier year's approved 经营性收入) in turn, so every tier present is represented.
3. Survey groups: the sampled townships in code order dealt to the groups in turn; a village goes
   with its township.

Every random choice comes from one `random.Random(seed)` over lists in code order, so the same seed
and the same divisions and incomes give the same sample.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from villages import selectors as village_selectors
from villages.models import Township, Village

TIER_ORDER = ("弱村", "中间村", "强村")


@dataclass(frozen=True)
class DrawnTownship:
    township_id: int
    county_id: int
    group: int


@dataclass(frozen=True)
class DrawnVillage:
    village_id: int
    township_id: int
    tier: str
    group: int


@dataclass(frozen=True)
class Draw:
    townships: list[DrawnTownship]
    villages: list[DrawnVillage]


def _largest_remainder(total: int, sizes: dict, minimum: int = 0) -> dict:
    """Split `total` across keys in proportion to `sizes` (Hamilton's method), each at least `minimum`
    and at most its size. Ties go to the larger unit, then to the lower key."""
    keys = sorted(sizes)
    whole = sum(sizes.values())
    quotas = {k: total * sizes[k] / whole for k in keys}
    shares = {k: min(sizes[k], max(minimum, int(quotas[k]))) for k in keys}
    order = sorted(keys, key=lambda k: (-(quotas[k] - int(quotas[k])), -sizes[k], k))
    while sum(shares.values()) < total:
        grew = False
        for k in order:
            if sum(shares.values()) == total:
                break
            if shares[k] < sizes[k]:
                shares[k] += 1
                grew = True
        if not grew:
            break
    while sum(shares.values()) > total:
        # The minimums overshot: take back from the largest shares.
        k = max(keys, key=lambda k: (shares[k], k))
        shares[k] -= 1
    return shares


def plan(
    *,
    seed: int,
    townships: list[tuple[int, int]],
    villages: list[tuple[int, int, str]],
    township_count: int,
    village_count: int,
    group_count: int,
) -> Draw:
    """The draw on plain data: `townships` as (id, county_id) and `villages` as (id, township_id, tier),
    both in code order."""
    rng = random.Random(seed)
    by_county: dict[int, list[int]] = defaultdict(list)
    for township_id, county_id in townships:
        by_county[county_id].append(township_id)
    villages_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for village_id, township_id, tier in villages:
        villages_of[township_id].append((village_id, tier))
    # Only townships with villages can be sampled.
    for county_id in list(by_county):
        by_county[county_id] = [t for t in by_county[county_id] if villages_of[t]]
    available = sum(len(v) for v in by_county.values())
    if not 0 < township_count <= available:
        raise ValidationError({"township_count": f"抽取乡镇数应在 1 到 {available} 之间。"})
    county_shares = _largest_remainder(
        township_count,
        {c: len(ts) for c, ts in by_county.items() if ts},
        minimum=1 if township_count >= len(by_county) else 0,
    )
    chosen: list[tuple[int, int]] = []
    for county_id in sorted(county_shares):
        for township_id in sorted(rng.sample(by_county[county_id], county_shares[county_id])):
            chosen.append((township_id, county_id))
    chosen.sort()
    village_total = sum(len(villages_of[t]) for t, _ in chosen)
    if not township_count <= village_count <= village_total:
        raise ValidationError(
            {"village_count": f"抽取村数应在 {township_count} 到 {village_total} 之间(每个样本乡镇至少一个村)。"}
        )
    sizes = {t: len(villages_of[t]) for t, _ in chosen}
    quotas = {t: min(village_count // len(chosen), sizes[t]) for t in sizes}
    # The remainder (and any shortfall of small townships) goes to the townships with the most villages.
    largest_first = sorted(sizes, key=lambda t: (-sizes[t], t))
    while sum(quotas.values()) < village_count:
        for township_id in largest_first:
            if sum(quotas.values()) < village_count and quotas[township_id] < sizes[township_id]:
                quotas[township_id] += 1
    drawn_townships, drawn_villages = [], []
    for index, (township_id, county_id) in enumerate(chosen):
        group = index % group_count + 1
        drawn_townships.append(DrawnTownship(township_id, county_id, group))
        strata: dict[str, list[int]] = defaultdict(list)
        for village_id, tier in villages_of[township_id]:
            strata[tier].append(village_id)
        pools = {
            tier: rng.sample(ids, len(ids)) for tier, ids in sorted(strata.items(), key=lambda kv: _tier_key(kv[0]))
        }
        picked: list[tuple[int, str]] = []
        while len(picked) < quotas[township_id]:
            for tier, pool in pools.items():
                if pool and len(picked) < quotas[township_id]:
                    picked.append((pool.pop(), tier))
        for village_id, tier in sorted(picked):
            drawn_villages.append(DrawnVillage(village_id, township_id, tier, group))
    return Draw(townships=drawn_townships, villages=drawn_villages)


def _tier_key(tier: str) -> tuple[int, str]:
    return (TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER), tier)


def draw(*, seed: int, tier_year: int, township_count: int, village_count: int, group_count: int) -> Draw:
    """The draw on the portal's divisions and the tier year's approved incomes."""
    if group_count < 1:
        raise ValidationError({"group_count": "调研组数须大于 0。"})
    operating = dict(village_selectors.approved_incomes(year=tier_year).values_list("village_id", "operating_income"))
    townships = list(Township.objects.order_by("code").values_list("pk", "county_id"))
    villages = [
        (village_id, township_id, village_selectors.tier_of(operating.get(village_id)))
        for village_id, township_id in Village.objects.order_by("code").values_list("pk", "township_id")
    ]
    return plan(
        seed=seed,
        townships=townships,
        villages=villages,
        township_count=township_count,
        village_count=village_count,
        group_count=group_count,
    )
