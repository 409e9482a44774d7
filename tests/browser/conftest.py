"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

Skipped with a message when /usr/bin/chromium is absent (a laptop without it); in CI (CI=true) a
missing browser is a failure. No browser is ever downloaded.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI, PASSWORD

# Playwright's sync API runs an event loop in the test's thread; the test's own database calls
# (fixtures, assertions) are still plain synchronous code, so Django's async-safety check is off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} on ${e.documentURI}`));"""
# `make docs-screenshots` sets SCREENSHOT_DIR=docs/screenshots: the user guides' pictures are the
# browser tests' own screenshots.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
).resolve()

# Every chart container: an ECharts instance with series, and a canvas with size and drawn pixels.
CHARTS_JS = """() => Array.from(document.querySelectorAll('.chart[data-chart]')).map((el) => {
  const chart = window.echarts ? echarts.getInstanceByDom(el) : null;
  const canvas = el.querySelector('canvas');
  let painted = 0;
  if (canvas && canvas.width && canvas.height) {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i]) painted++;
  }
  return {
    id: el.id,
    instance: !!chart,
    series: chart ? chart.getOption().series.length : 0,
    width: canvas ? canvas.width : 0,
    height: canvas ? canvas.height : 0,
    painted: painted,
  };
})"""


def require_chromium(path: Path = CHROMIUM, in_ci: bool = IN_CI) -> None:
    """Skip without the browser on a laptop; fail in CI, where the browser tests are required."""
    if path.exists():
        return
    message = f"{path} 不存在:浏览器测试需要 Debian 的 chromium(apt-get install chromium)。"
    if in_ci:
        pytest.fail(message + " CI 中必须运行浏览器测试。")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserPage:
    """A page with every console error and uncaught page error collected."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        # The stack says which script failed when an error shows only under load.
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc} {getattr(exc, 'stack', '') or ''}"))
        # A Content-Security-Policy violation is an error too (Chromium also logs one to the console).
        page.add_init_script(CSP_LISTENER)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit], input[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in self.page.url, f"{username} 登录失败"

    def logout(self) -> None:
        self.page.context.clear_cookies()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def charts(self) -> list[dict]:
        return self.page.evaluate(CHARTS_JS)

    def assert_charts_drawn(self, expected: set[str] | None = None) -> list[dict]:
        charts = self.charts()
        assert charts, "页面上没有图表"
        for chart in charts:
            assert chart["instance"], f"{chart['id']}:ECharts 实例不存在"
            assert chart["series"] > 0, f"{chart['id']}:没有数据系列"
            assert chart["width"] > 0 and chart["height"] > 0, f"{chart['id']}:画布尺寸为 0"
            assert chart["painted"] > 0, f"{chart['id']}:画布是空白的"
        if expected is not None:
            assert {c["id"] for c in charts} >= expected
        return charts

    def assert_no_errors(self) -> None:
        assert self.errors == [], "\n".join(self.errors)


@pytest.fixture
def browser_page(chromium_browser, live_server):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = BrowserPage(context.new_page(), live_server.url)
    yield page
    context.close()
