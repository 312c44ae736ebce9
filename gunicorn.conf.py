"""gunicorn's settings for Chancery, read from the directory it is started in; options on
the command line (`--workers 3`) add to them or override them."""

# Threaded workers. A sync worker tells the arbiter it is alive only between requests, and
# is killed when one request lasts longer than `timeout` (30 s) — in the middle of its
# response. An export streams a whole result: the CSV of a million articles (250 MB, about
# 30 s) arrived cut off at 638,000 rows, with status 200 and nothing to say so. A threaded
# worker's main thread goes on answering the arbiter while its threads serve, so a long
# export ends, and a slow request no longer holds up the pages behind it.
worker_class = "gthread"
threads = 2

# One request per connection, as the sync worker served them. A threaded worker would keep
# an idle connection open for `keepalive` seconds (2 by default) and then close it, and a
# request sent on it at that moment gets no answer at all: 4 of 20 sent 1.97-2.03 s after
# the one before, and one of 690 in the load test, whose readers pause up to 2 s.
keepalive = 0
