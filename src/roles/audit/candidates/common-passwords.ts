/**
 * Passwords people choose most often, and the ones they choose for databases: keyboard
 * walks, number runs, words, names, seasons and the usual substitutions. Composed for
 * pgwarden, in no particular order of frequency; `--wordlist` adds any larger list.
 */
export const COMMON_PASSWORDS: readonly string[] = [
  // Number runs and repeats.
  "123456", "12345678", "123456789", "1234567890", "12345", "1234", "1234567", "123123", "111111", "000000",
  "654321", "666666", "121212", "112233", "123321", "987654321", "999999", "888888", "555555", "7777777",
  "11111111", "00000000", "1q2w3e4r", "1q2w3e", "1qaz2wsx", "q1w2e3r4", "a1b2c3d4", "abc123", "abcd1234", "123abc",
  "12qwaszx", "147258369", "159753", "123654", "1111", "0000", "2000", "1357924680", "12341234", "321321",
  // Keyboard walks.
  "qwerty", "qwerty123", "qwertyuiop", "qwerty1", "azerty", "asdfgh", "asdfghjkl", "asdf1234", "zxcvbnm", "zxcvbn",
  "qazwsx", "qweasd", "qweasdzxc", "1qazxsw2", "zaq12wsx", "!qaz2wsx", "qwer1234", "asdasd", "qwe123", "poiuytrewq",
  // The word password, its translations and substitutions.
  "password", "password1", "password123", "Password", "Password1", "Password123", "Password1!", "Passw0rd", "P@ssw0rd", "P@ssword",
  "p@ssw0rd", "passw0rd", "pass", "pass123", "pass1234", "passwort", "motdepasse", "contrasena", "senha", "parola",
  "haslo", "wachtwoord", "salasana", "password!", "Password!", "passpass", "pwd", "pwd123", "mypassword", "newpassword",
  // Administrators' and databases' own words.
  "admin", "admin123", "admin1234", "Admin123", "admin@123", "Admin@123", "administrator", "root", "root123", "toor",
  "changeme", "changeit", "change_me", "secret", "secret123", "letmein", "welcome", "welcome1", "Welcome1", "Welcome123",
  "default", "guest", "test", "test123", "test1234", "testing", "demo", "sample", "user", "user123",
  "postgres", "postgres123", "Postgres123", "postgresql", "PostgreSQL", "pgsql", "pgpass", "pgadmin", "pgadmin4", "pg123456",
  "database", "database1", "db", "dbpass", "dbadmin", "dba", "sa", "sysadmin", "system", "manager",
  "oracle", "mysql", "master", "superuser", "super", "replicator", "replication", "monitor", "backup", "service",
  "server", "login", "access", "temp", "temp123", "tmp", "nopass", "none", "public", "private",
  // Words and names people pick.
  "iloveyou", "princess", "dragon", "monkey", "football", "baseball", "soccer", "hockey", "basketball", "master1",
  "sunshine", "shadow", "michael", "jennifer", "jordan", "superman", "batman", "trustno1", "hello", "hello123",
  "freedom", "whatever", "qwertz", "starwars", "computer", "internet", "killer", "charlie", "donald", "ginger",
  "summer", "winter", "spring", "autumn", "flower", "hunter", "hunter2", "buster", "soccer1", "harley",
  "ranger", "thomas", "robert", "daniel", "andrew", "joshua", "matthew", "jessica", "ashley", "michelle",
  "pepper", "cookie", "cheese", "chocolate", "butterfly", "purple", "orange", "banana", "apple", "lovely",
  "love", "angel", "beautiful", "loveme", "friends", "family", "blessed", "jesus", "pokemon", "naruto",
  "matrix", "mustang", "ferrari", "porsche", "corvette", "samsung", "google", "facebook", "linux", "ubuntu",
  "debian", "windows", "microsoft", "apple123", "cisco", "huawei", "nimda", "access14", "zxcvbnm123", "letmein1",
  "tigger", "silver", "golden", "diamond", "secure", "security", "passport", "mercedes", "london", "paris",
  "berlin", "tokyo", "chelsea", "liverpool", "arsenal", "barcelona", "yankees", "dallas", "austin", "boston",
  // Seasons, years and the usual endings.
  "Summer2024", "Winter2024", "Spring2024", "Autumn2024", "Summer2025", "Winter2025", "Spring2025", "Autumn2025", "Summer2026", "Winter2026",
  "Summer2024!", "Winter2025!", "Spring2026!", "Company123", "Company1", "Welcome2024", "Welcome2025", "Welcome2026", "Password2024", "Password2025",
  "Password2026", "P@ssw0rd2024", "P@ssw0rd2025", "P@ssw0rd2026", "Qwerty123", "Qwerty123!", "Abc123", "Abcd1234", "Abc@123", "Aa123456",
  "aa123456", "a123456", "a12345678", "qq123456", "asd123", "zxc123", "abc12345", "123qwe", "1234qwer", "123456a",
  "123456q", "12345a", "1234abcd", "password12", "iloveyou1", "princess1", "monkey1", "dragon1", "football1", "charlie1",
  // Phrases and leetspeak.
  "letmein!", "opensesame", "open sesame", "correcthorsebatterystaple", "Tr0ub4dor&3", "s3cr3t", "s3cret", "l3tm3in", "w3lc0me", "adm1n",
  "r00t", "t00r", "p4ssw0rd", "passw0rd!", "Pa$$w0rd", "Pa$$word", "P@$$w0rd", "p@$$word", "changeme123", "ChangeMe",
  "ChangeMe123", "ChangeMe!", "Ch@ngeMe", "default1", "Default1", "guest123", "demo123", "sample123", "welcome!", "Welcome!",
];
