"""``nowry-infra advise``: the live headroom of each limit of a deployed stack, one reader per platform."""
