"""Components for managed services: MongoDB Atlas (and the managed phases' providers)."""
