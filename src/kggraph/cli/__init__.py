"""The command line: ``kggraph build``, ``serve``, ``query``, ``network`` and the rest."""
