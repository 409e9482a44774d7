"""What the organisation department gets beyond the dashboards: the village file (一村一档), income
checked against the 三资 ledger (收入核对), near-miss lists (差一点) and the what-if (测算).

Each reads several apps through their selectors, so it lives in incentives (the one app that may).
"""
