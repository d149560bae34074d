/// What palisade-media owns in the kernel: table `inet palisade`, its sets, and chain `input`.
///
/// Nothing here does I/O. `setupBatch` describes the table; `renderRuleset` prints the same table
/// as `nft` text, for review, for `nft -c`, and for the appliance's base ruleset to compose with.
public struct NFTRules: Hashable, Sendable {
    public static let family = "inet"
    public static let tableName = "palisade"

    /// UDP to these local ports is dropped unless a pinhole matches. `nil`: no closing rule (the
    /// base ruleset decides what happens to UDP that no pinhole accepted).
    public var mediaPorts: ClosedRange<UInt16>?
    public var chain: NFTChain

    public init(mediaPorts: ClosedRange<UInt16>?, chain: NFTChain = .input) {
        self.mediaPorts = mediaPorts
        self.chain = chain
    }

    public var rules: [NFTRule] {
        var rules: [NFTRule] = [
            .dropBanned(.ipv4), .dropBanned(.ipv6),
            .acceptLatched(.ipv4), .acceptLatched(.ipv6),
            .acceptOpen,
        ]
        if let mediaPorts { rules.append(.dropMediaRange(mediaPorts)) }
        return rules
    }

    /// Creates or replaces the owned table atomically. Adding the table first makes the delete
    /// succeed on a first run; deleting it drops every old rule, so a re-run never duplicates one
    /// (`NEWRULE` appends). Pinholes in `state` are re-added in the same transaction, so traffic
    /// never sees them missing; bans are not kept (the signalling owns them and refills them).
    public func setupBatch(restoring state: NFTPinholeState = NFTPinholeState()) -> NFTBatch {
        var batch = NFTBatch([.addTable, .deleteTable, .addTable])
        batch.operations += NFTSet.allCases.map(NFTOperation.addSet)
        batch.operations.append(.addChain(chain))
        batch.operations += rules.map(NFTOperation.addRule)
        state.appendRestore(to: &batch)
        return batch
    }

    /// The owned table as `nft list table inet palisade` prints it when its sets are empty.
    public func renderRuleset() -> String {
        var text = "table \(Self.family) \(Self.tableName) {\n"
        for set in NFTSet.allCases {
            text += "\tset \(set.name) {\n"
            text += "\t\ttype \(set.fields.map(\.nftName).joined(separator: " . "))\n"
            if set.hasTimeouts { text += "\t\tflags timeout\n" }
            text += "\t}\n\n"
        }
        text += "\tchain \(chain.name) {\n"
        text += "\t\ttype filter hook \(chain.hookName) priority \(chain.priorityText); policy accept;\n"
        for rule in rules { text += "\t\t\(rule.text)\n" }
        text += "\t}\n}\n"
        return text
    }
}
