//! Where a log is, as it may be shown to people: a PostgreSQL URL never shows its password.
//!
//! Every message that names a log's location (opening errors, `smes init`, `smes copy`, the
//! server's start-up, the benchmarks) passes it through [`without_password`] first, so a
//! password given in the URL never reaches a terminal, a log file or an HTTP answer.

/// `location` with any password replaced by `***`: the password of the URL's user part
/// (`postgres://user:secret@host/db`) and the value of a `password` query parameter
/// (`postgres://host/db?password=secret`). A SQLite path, or a URL without a password, is
/// returned as it is.
pub fn without_password(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_part, host)) => match user_part.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{}", without_password_parameter(tail))
}

/// The path and query of a URL with the value of every `password` parameter replaced.
fn without_password_parameter(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_owned();
    };
    let parameters: Vec<String> = query
        .split('&')
        .map(|parameter| match parameter.split_once('=') {
            Some((name, _value)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
            _ => parameter.to_owned(),
        })
        .collect();
    format!("{path}?{}", parameters.join("&"))
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_hidden_and_the_rest_is_kept() {
        let cases = [
            (
                "postgres://smes:s3cr:et@db.example:5432/smes?sslmode=require",
                "postgres://smes:***@db.example:5432/smes?sslmode=require",
            ),
            ("postgres://smes@db/smes", "postgres://smes@db/smes"),
            ("postgres://db/smes", "postgres://db/smes"),
            ("smes.db", "smes.db"),
            ("sqlite://smes.db", "sqlite://smes.db"),
            ("postgres://u:p@h/d@x", "postgres://u:***@h/d@x"),
            ("postgresql://u:p%40ss@h", "postgresql://u:***@h"),
            ("postgres://u:p@ss@h/d", "postgres://u:***@h/d"),
            (
                "postgres://h/d?user=u&password=secret&sslmode=disable",
                "postgres://h/d?user=u&password=***&sslmode=disable",
            ),
            (
                "postgres://u:secret@h?Password=other",
                "postgres://u:***@h?Password=***",
            ),
        ];
        for (location, shown) in cases {
            assert_eq!(without_password(location), shown, "{location}");
        }
    }
}
