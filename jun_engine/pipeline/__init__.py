"""The per-message stages: each stored message verified, taken through the chain, once."""
