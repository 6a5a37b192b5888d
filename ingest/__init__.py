"""Reading corpus files into documents, passages and vectors."""
