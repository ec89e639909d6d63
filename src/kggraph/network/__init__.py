"""The organisation network: facts read from the graph, the network, its analyses, exports and
timeline."""
