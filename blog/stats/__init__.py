"""The author's numbers: ``invoke stats`` reads the web server's access logs and writes an
Italian HTML report (kit downloads, the articles read before them, the most read posts,
the sites that send readers), with no script on the pages and nothing sent anywhere.

One module per job: :mod:`.parse` reads nginx's ``combined`` lines, :mod:`.classify`
tells bots, pages, the kit and referrers apart, :mod:`.readers` turns an address and a
browser into a key salted per day, :mod:`.count` adds everything up, :mod:`.charts` and
:mod:`.render` write the report; :mod:`.site` and :mod:`.editions` know the site,
:mod:`.fetch` brings the logs from the server, :mod:`.run` ties them together.
"""
