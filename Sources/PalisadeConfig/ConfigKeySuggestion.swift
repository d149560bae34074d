/// "Did you mean …?" for an unknown key: the catalogue entry closest to what was written.
enum ConfigKeySuggestion {
    /// A key or section for the unknown dotted `path`, or nil when nothing is close.
    static func closest(to path: String) -> String? {
        // The right key in the wrong section (`media.admin_socket`, or `admin_socket` at the top).
        let name = path.split(separator: ".").last.map(String.init) ?? path
        if let key = ConfigKey.allCases.first(where: { $0.name == name && $0.rawValue != path }) {
            return key.rawValue
        }
        let candidates = ConfigKey.allCases.map(\.rawValue) + ConfigSection.allCases.map(\.rawValue)
        let scored = candidates.map { (candidate: $0, distance: distance(path, $0)) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        // Allow about one slip in four characters, and at least two (one transposed pair counts one).
        let allowed = max(2, best.candidate.count / 4)
        return best.distance <= allowed ? best.candidate : nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbouring characters each cost one, so `singal` is one step from `signal`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
