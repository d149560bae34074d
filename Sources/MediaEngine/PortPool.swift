/// An RTP/RTCP port pair: RTP on the even port, RTCP on the odd one above it (RFC 3550 §11).
/// A muxed stream (RFC 5761) binds only `rtp`, but still holds the pair so odd ports are never
/// handed out on their own.
public struct PortPair: Hashable, Sendable {
    public let rtp: UInt16
    public var rtcp: UInt16 { rtp + 1 }

    /// Nil unless `rtp` is even (and so has an odd partner).
    public init?(rtp: UInt16) {
        guard rtp % 2 == 0 else { return nil }
        self.rtp = rtp
    }

    init(evenRTP: UInt16) { self.rtp = evenRTP }
}

public struct PortPoolError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: Equatable, Sendable {
        /// The range holds no even port with its odd partner.
        case emptyRange
        /// Every pair is in use.
        case exhausted
        /// Releasing a pair that is not allocated (never was, or already released).
        case notAllocated
        /// Releasing a pair outside this pool's range.
        case outsideRange
    }

    public let code: Code
    public let context: String

    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public static func == (lhs: PortPoolError, rhs: PortPoolError) -> Bool { lhs.code == rhs.code }
    public var description: String { "\(code): \(context)" }
}

/// The port pairs of one interface. A pure allocator: it binds nothing, it only guarantees that a
/// pair is never handed out twice while in use.
///
/// Released pairs go to the back of a FIFO, so a port just freed is reused last: stray packets
/// for a finished call then meet a closed port rather than a new call.
public struct PortPool: Sendable {
    public let range: ClosedRange<UInt16>
    private let firstRTP: UInt16
    public let capacity: Int
    private var inUse: [Bool]
    private var free: [UInt16]  // circular FIFO of pair indices
    private var head = 0
    public private(set) var available: Int

    public init(range: ClosedRange<UInt16>) throws(PortPoolError) {
        let first = range.lowerBound % 2 == 0 ? Int(range.lowerBound) : Int(range.lowerBound) + 1
        let pairs = first + 1 <= Int(range.upperBound) ? (Int(range.upperBound) - first + 1) / 2 : 0
        guard pairs > 0 else { throw PortPoolError(.emptyRange, "no even/odd pair in \(range)") }
        self.range = range
        self.firstRTP = UInt16(first)
        self.capacity = pairs
        self.inUse = Array(repeating: false, count: pairs)
        self.free = (0..<pairs).map { UInt16($0) }
        self.available = pairs
    }

    /// Hands out the least recently released pair, or `.exhausted`.
    public mutating func allocate() -> Result<PortPair, PortPoolError> {
        guard available > 0 else {
            return .failure(PortPoolError(.exhausted, "all \(capacity) port pairs of \(range) in use"))
        }
        let index = Int(free[head])
        head = (head + 1) % capacity
        available -= 1
        inUse[index] = true
        return .success(PortPair(evenRTP: firstRTP + UInt16(index * 2)))
    }

    public mutating func release(_ pair: PortPair) -> Result<Void, PortPoolError> {
        guard pair.rtp >= firstRTP, Int(pair.rtp - firstRTP) / 2 < capacity else {
            return .failure(PortPoolError(.outsideRange, "port \(pair.rtp) is not in \(range)"))
        }
        let index = Int(pair.rtp - firstRTP) / 2
        guard inUse[index] else {
            return .failure(PortPoolError(.notAllocated, "port \(pair.rtp) is not allocated"))
        }
        inUse[index] = false
        free[(head + available) % capacity] = UInt16(index)
        available += 1
        return .success(())
    }

    public func isAllocated(_ pair: PortPair) -> Bool {
        guard pair.rtp >= firstRTP else { return false }
        let index = Int(pair.rtp - firstRTP) / 2
        return index < capacity && inUse[index]
    }
}
