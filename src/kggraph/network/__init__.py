"""The organisation network: facts read from the graph, the network and its filter, analyses,
names resolved to IRIs, exports and the timeline."""
