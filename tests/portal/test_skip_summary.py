"""`make test` ends with one line saying how many browser and worker tests were skipped, and why."""

from types import SimpleNamespace

from tests.conftest import pytest_terminal_summary


class Reporter:
    def __init__(self, skipped):
        self.stats = {"skipped": skipped}
        self.lines: list[str] = []

    def write_line(self, line):
        self.lines.append(line)


def _skip(marker: str, reason: str):
    return SimpleNamespace(keywords={marker: 1, "test_x": 1}, longrepr=("f.py", 1, f"Skipped: {reason}"))


def test_the_line_counts_skips_by_kind_and_reason():
    reporter = Reporter(
        [
            _skip("browser", "/usr/bin/chromium 不存在"),
            _skip("browser", "/usr/bin/chromium 不存在"),
            _skip("celery_worker", "未设置 CELERY_BROKER_URL"),
            _skip("other", "无关的跳过"),
        ]
    )
    pytest_terminal_summary(reporter)
    assert reporter.lines == [
        "已跳过:浏览器测试 2 个(/usr/bin/chromium 不存在);Celery worker 测试 1 个(未设置 CELERY_BROKER_URL)"
    ]


def test_nothing_skipped_is_said_too():
    reporter = Reporter([])
    pytest_terminal_summary(reporter)
    assert len(reporter.lines) == 1 and "没有跳过" in reporter.lines[0]
