"""Reports: statistics per agency (rolled up over its subtree) and period, charts, exports, the league table.

Where things are:
  figures.py   the figures (received, answered, on time, overdue, days to answer, transfers, returns,
               satisfaction), set-based SQL over CaseEvent, Case and Rating, grouped by kind/category/agency
  series.py    month by month (on-time rate, backlog and overdue at month end, volume by category); agencies
               ranked by on-time rate; the public league table
  aggregates.py  AgencyPeriodStats: the figures' sums per day/month, agency, kind and category, kept current
               by the minute's refresh (what changed only) and a nightly rebuild of recent days
  stats.py     the figures, month-by-month series and league read from those aggregates (what pages show)
  report.py    one Report assembling all of it: pages, CSV/XLSX and the API render the same object
  export_jobs.py  report files built by a Celery worker, with progress, downloaded by the requester alone
  workdays.py  the WorkingDay table (running count of working days) built from caunoi.deadlines' calendar
  periods.py, scope.py   what a report covers; access.py   who may read which scope
  charts.py    server-drawn accessible SVG; exports.py   CSV, XLSX and the quarterly XLSX with a title page
  hooks.py     figures provided by apps on the same floor (dialogue participation)
"""
