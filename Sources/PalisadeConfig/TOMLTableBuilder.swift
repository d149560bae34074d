/// A dotted key as written, each part with its position.
enum TOMLKeyPath {
    struct Component: Sendable, Equatable {
        var name: String
        var location: TOMLLocation
    }

    /// `a.b."c d"` for messages; parts that are not bare keys are quoted.
    static func render(_ components: [Component]) -> String {
        render(components.map(\.name))
    }

    static func render(_ names: [String]) -> String {
        names.map { name in
            !name.isEmpty && name.utf8.allSatisfy(\.isBareKeyByte) ? name : TOMLRendering.basicString(name)
        }.joined(separator: ".")
    }
}

/// A table while the document is being read. It remembers how it came to exist, because TOML 1.0
/// §Table allows some ways of adding to a table and forbids others:
/// - `[a.b.c]` creates `a` and `a.b` *implicitly*; a later `[a]` may still define `a`, once.
/// - `[a]` (a *header*) may not appear twice, and dotted keys may not reach into it from outside.
/// - `a.b = 1` creates `a` by *dotted* keys; no `[a]` header may define it afterwards.
/// - an *inline* table `{ … }` is complete; nothing may be added to it later.
final class TOMLTableBuilder {
    enum Origin {
        case implicit, header, dotted, inline
    }

    private enum Slot {
        case value(TOMLItem)
        case table(TOMLTableBuilder)
        case arrayOfTables([TOMLTableBuilder])
    }

    private var origin: Origin
    private var location: TOMLLocation
    /// The dotted path from the document root, for messages (array elements share their array's path).
    let path: [String]
    private var order: [String] = []
    private var slots: [String: (slot: Slot, keyLocation: TOMLLocation)] = [:]

    init(origin: Origin, location: TOMLLocation, path: [String]) {
        self.origin = origin
        self.location = location
        self.path = path
    }

    /// `[key]`: walks or creates the parent tables, then defines the last one.
    func defineTable(at key: [TOMLKeyPath.Component], location: TOMLLocation) throws(TOMLError) -> TOMLTableBuilder {
        let parent = try walkForHeader(key.dropLast(), location: location)
        let last = key[key.count - 1]
        let path = TOMLKeyPath.render(key)
        guard let existing = parent.slots[last.name] else {
            let table = TOMLTableBuilder(origin: .header, location: location, path: key.map(\.name))
            parent.set(last.name, .table(table), keyLocation: location)
            return table
        }
        switch existing.slot {
        case .table(let table) where table.origin == .implicit:
            // From now on the table counts as defined here, for "defined twice" messages.
            table.origin = .header
            table.location = location
            parent.slots[last.name] = (existing.slot, location)
            return table
        case .table(let table) where table.origin == .dotted:
            throw duplicate(path, location, "table [\(path)] was already defined by dotted keys at line \(existing.keyLocation.line)")
        case .table:
            throw duplicate(path, location, "table [\(path)] is defined twice (first at line \(existing.keyLocation.line))")
        case .arrayOfTables:
            throw duplicate(path, location, "[\(path)] is already an array of tables (line \(existing.keyLocation.line))")
        case .value:
            throw duplicate(path, location, "key \(path) already holds a value (line \(existing.keyLocation.line))")
        }
    }

    /// `[[key]]`: walks or creates the parent tables, then appends a new table to the array.
    func appendArrayElement(at key: [TOMLKeyPath.Component], location: TOMLLocation) throws(TOMLError) -> TOMLTableBuilder {
        let parent = try walkForHeader(key.dropLast(), location: location)
        let last = key[key.count - 1]
        let path = TOMLKeyPath.render(key)
        let element = TOMLTableBuilder(origin: .header, location: location, path: key.map(\.name))
        guard let existing = parent.slots[last.name] else {
            parent.set(last.name, .arrayOfTables([element]), keyLocation: location)
            return element
        }
        switch existing.slot {
        case .arrayOfTables(let elements):
            parent.slots[last.name] = (.arrayOfTables(elements + [element]), existing.keyLocation)
            return element
        case .table:
            throw duplicate(path, location, "[[\(path)]] cannot append to the table \(path) defined at line \(existing.keyLocation.line)")
        case .value:
            throw duplicate(path, location, "[[\(path)]] cannot append to key \(path) defined at line \(existing.keyLocation.line); a static array cannot be extended")
        }
    }

    /// `a.b.c = value` relative to this table.
    func insert(_ item: TOMLItem, at key: [TOMLKeyPath.Component]) throws(TOMLError) {
        var table = self
        for (offset, component) in key.dropLast().enumerated() {
            let path = TOMLKeyPath.render(self.path + key[...offset].map(\.name))
            guard let existing = table.slots[component.name] else {
                let child = TOMLTableBuilder(origin: .dotted, location: component.location, path: table.path + [component.name])
                table.set(component.name, .table(child), keyLocation: component.location)
                table = child
                continue
            }
            switch existing.slot {
            case .table(let child) where child.origin == .dotted:
                table = child
            case .table:
                throw duplicate(path, component.location, "dotted keys cannot add to the table \(path) defined at line \(existing.keyLocation.line)")
            case .arrayOfTables:
                throw duplicate(path, component.location, "dotted keys cannot add to the array of tables \(path) defined at line \(existing.keyLocation.line)")
            case .value(let value):
                let what = if case .table = value.value { "the inline table" } else { "the value" }
                throw duplicate(path, component.location, "key \(path) cannot be extended: it holds \(what) set at line \(existing.keyLocation.line)")
            }
        }
        let last = key[key.count - 1]
        if let existing = table.slots[last.name] {
            let path = TOMLKeyPath.render(self.path + key.map(\.name))
            throw duplicate(path, last.location, "duplicate key \(path) (first defined at line \(existing.keyLocation.line))")
        }
        table.set(last.name, .value(item), keyLocation: key[0].location)
    }

    func freeze() -> TOMLTable {
        TOMLTable(entries: order.map { name in
            let (slot, keyLocation) = slots[name]!
            let item: TOMLItem = switch slot {
            case .value(let item):
                item
            case .table(let table):
                TOMLItem(value: .table(table.freeze()), location: table.location)
            case .arrayOfTables(let elements):
                TOMLItem(
                    value: .array(elements.map { TOMLItem(value: .table($0.freeze()), location: $0.location) }),
                    location: keyLocation)
            }
            return TOMLTable.Entry(key: name, keyLocation: keyLocation, item: item)
        })
    }

    /// Parents named in a header: created implicitly if missing; an array of tables means its last element.
    private func walkForHeader(_ key: ArraySlice<TOMLKeyPath.Component>, location: TOMLLocation) throws(TOMLError) -> TOMLTableBuilder {
        var table = self
        for (offset, component) in key.enumerated() {
            let path = TOMLKeyPath.render(key.prefix(offset + 1).map(\.name))
            guard let existing = table.slots[component.name] else {
                let child = TOMLTableBuilder(origin: .implicit, location: location, path: table.path + [component.name])
                table.set(component.name, .table(child), keyLocation: location)
                table = child
                continue
            }
            switch existing.slot {
            case .table(let child):
                table = child
            case .arrayOfTables(let elements):
                table = elements[elements.count - 1]
            case .value(let value):
                let what = if case .table = value.value { "an inline table, which cannot be extended" } else { "a value" }
                throw duplicate(path, location, "key \(path) holds \(what) (line \(existing.keyLocation.line))")
            }
        }
        return table
    }

    private func set(_ name: String, _ slot: Slot, keyLocation: TOMLLocation) {
        order.append(name)
        slots[name] = (slot, keyLocation)
    }

    private func duplicate(_ path: String, _ location: TOMLLocation, _ message: String) -> TOMLError {
        TOMLError(kind: .duplicateKey, location: location, key: path, message: message)
    }
}
