"""The explore routes: the organisation network and the timeline, as pages and as ``/network``."""
