#!/bin/sh
# Write the index page at start (the hostname is only known then), serve on 81 in
# the background and on 80 in the foreground.
host=$(hostname)
cat > /www/index.html <<HTML
<!doctype html>
<html><head><title>course web</title></head>
<body><h1>course web</h1><p>served by $host</p></body></html>
HTML
httpd -p 81 -h /www
exec httpd -f -p 80 -h /www
