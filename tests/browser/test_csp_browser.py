"""The Content-Security-Policy holds in a real browser: the portal's pages, dashboards and the API docs
log no violation, and an injected inline script is refused (and reported by the harness)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_log_no_csp_violation(browser_page, city_user, divisions):
    browser_page.login(city_user.username)
    for path in ("/", "/dashboard/", "/income/", "/assets/", "/rectification/clues/", "/incentives/", "/api/docs/"):
        response = browser_page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    browser_page.page.wait_for_selector(".swagger-ui .opblock", timeout=20000)  # Swagger UI drew the API
    browser_page.assert_no_errors()


def test_an_injected_inline_script_is_refused_and_reported(browser_page, city_user, divisions):
    browser_page.login(city_user.username)
    browser_page.goto("/")
    ran = browser_page.page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';
                   document.head.appendChild(s); return window.injected === 1; }"""
    )
    browser_page.page.wait_for_timeout(300)
    assert ran is False
    assert any("CSP violation: script-src" in e for e in browser_page.errors), browser_page.errors
