mod in_kind_and_rates;
mod offer;
