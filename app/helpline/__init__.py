"""The Hulplijn: a caregiver asks for a call-back or asks a question; staff answer it."""
