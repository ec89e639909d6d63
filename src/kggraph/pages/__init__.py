"""What the linked-data pages show: the queries behind /id/ pages and indexes, and the page
model."""
