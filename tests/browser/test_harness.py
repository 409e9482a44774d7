"""The browser tests' own rule: skipped without chromium on a laptop, a failure in CI."""

from pathlib import Path

import pytest

from .conftest import CHROMIUM, require_chromium


def test_missing_chromium_skips_outside_ci(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        require_chromium(tmp_path / "no-chromium", in_ci=False)


def test_missing_chromium_fails_in_ci(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="CI 中必须运行浏览器测试"):
        require_chromium(tmp_path / "no-chromium", in_ci=True)


def test_present_chromium_runs(tmp_path):
    browser = tmp_path / "chromium"
    browser.touch()
    assert require_chromium(browser, in_ci=True) is None
    assert CHROMIUM == Path("/usr/bin/chromium")
