"""PWS-ILP domain core: data model, analytics and map layers. Never imports dash."""
