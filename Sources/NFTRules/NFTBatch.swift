/// One atomic nf_tables transaction: the kernel applies every operation or none.
/// Each operation becomes exactly one netlink message, so a failure names its operation.
public struct NFTBatch: Hashable, Sendable {
    public var operations: [NFTOperation]

    public init(_ operations: [NFTOperation] = []) {
        self.operations = operations
    }

    public var isEmpty: Bool { operations.isEmpty }

    /// Total set elements added or deleted.
    public var elementCount: Int {
        operations.reduce(0) { count, operation in
            switch operation {
            case .addElements(_, let elements), .deleteElements(_, let elements): count + elements.count
            case .addTable, .deleteTable, .addSet, .addChain, .addRule: count
            }
        }
    }

    /// A `NEWSETELEM` message nests its elements in one attribute whose length is 16 bits, so a
    /// message holds a bounded number of elements; larger lists become several messages of the
    /// same transaction. 512 IPv6 latched elements with timeouts stay well under 64 KiB.
    public static let maximumElementsPerOperation = 512

    public mutating func addElements(_ elements: [NFTElement], to set: NFTSet) {
        for chunk in Self.chunks(elements) { operations.append(.addElements(set, chunk)) }
    }

    public mutating func deleteElements(_ elements: [NFTElement], from set: NFTSet) {
        for chunk in Self.chunks(elements) { operations.append(.deleteElements(set, chunk)) }
    }

    private static func chunks(_ elements: [NFTElement]) -> [[NFTElement]] {
        stride(from: 0, to: elements.count, by: maximumElementsPerOperation).map {
            Array(elements[$0..<min($0 + maximumElementsPerOperation, elements.count)])
        }
    }
}

public enum NFTOperation: Hashable, Sendable {
    case addTable
    case deleteTable
    case addSet(NFTSet)
    case addChain(NFTChain)
    case addRule(NFTRule)
    case addElements(NFTSet, [NFTElement])
    case deleteElements(NFTSet, [NFTElement])
}

extension NFTOperation: CustomStringConvertible {
    /// Names the operation in an error: "delete 1 element(s) from set media_open".
    public var description: String {
        let table = "\(NFTRules.family) \(NFTRules.tableName)"
        switch self {
        case .addTable: return "add table \(table)"
        case .deleteTable: return "delete table \(table)"
        case .addSet(let set): return "add set \(set.name) to table \(table)"
        case .addChain(let chain): return "add chain \(chain.name) to table \(table)"
        case .addRule(let rule): return "add rule '\(rule.text)'"
        case .addElements(let set, let elements): return "add \(elements.count) element(s) to set \(set.name)"
        case .deleteElements(let set, let elements): return "delete \(elements.count) element(s) from set \(set.name)"
        }
    }
}

/// The owned table's one base chain, `input`. Only its priority is a choice: -10 runs it before a
/// base ruleset's filter chains at priority 0 (either may drop; an accept here decides nothing there).
public struct NFTChain: Hashable, Sendable {
    public let name = "input"
    /// `NF_INET_LOCAL_IN` = 1.
    public let hook: UInt32 = 1
    public let hookName = "input"
    public var priority: Int32

    public init(priority: Int32 = -10) {
        self.priority = priority
    }

    public static let input = NFTChain()

    /// The priority as `nft list` prints it, relative to the standard `filter` priority 0.
    public var priorityText: String {
        priority == 0 ? "filter" : priority < 0 ? "filter - \(-Int(priority))" : "filter + \(priority)"
    }
}
