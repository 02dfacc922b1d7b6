"""The job table: model, view, filter, columns, rows, delegates, status icons and the filter bar."""
