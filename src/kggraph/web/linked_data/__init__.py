"""The linked-data routes: ``/id/…`` resources, their indexes and search, and moved IRIs."""
