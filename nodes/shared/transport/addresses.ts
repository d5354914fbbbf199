/**
 * Which IP addresses a URL from a provider's answer may lead to: public unicast only. Loopback,
 * private (RFC 1918, unique local), link-local (the cloud metadata services live there),
 * carrier-grade NAT, multicast, reserved and documentation ranges are refused, and IPv6 forms
 * that embed an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
 */

/** Why an address is not public, in words, or undefined when it is. */
export function nonPublicReason(address: string): string | undefined {
	const v4 = parseIPv4(address);
	if (v4) return ipv4Reason(v4);
	const v6 = parseIPv6(address);
	if (v6) return ipv6Reason(v6);
	return 'not an IP address';
}

interface Range {
	base: number[];
	bits: number;
	reason: string;
}

const IPV4_RANGES: Range[] = [
	{ base: [0, 0, 0, 0], bits: 8, reason: 'the "this network" range' },
	{ base: [10, 0, 0, 0], bits: 8, reason: 'a private address' },
	{ base: [100, 64, 0, 0], bits: 10, reason: 'a carrier-grade NAT address' },
	{ base: [127, 0, 0, 0], bits: 8, reason: 'a loopback address' },
	{ base: [169, 254, 0, 0], bits: 16, reason: 'a link-local address (where cloud metadata services answer)' },
	{ base: [172, 16, 0, 0], bits: 12, reason: 'a private address' },
	{ base: [192, 0, 0, 0], bits: 24, reason: 'an IETF protocol address' },
	{ base: [192, 0, 2, 0], bits: 24, reason: 'a documentation address' },
	{ base: [192, 88, 99, 0], bits: 24, reason: 'a relay address' },
	{ base: [192, 168, 0, 0], bits: 16, reason: 'a private address' },
	{ base: [198, 18, 0, 0], bits: 15, reason: 'a benchmarking address' },
	{ base: [198, 51, 100, 0], bits: 24, reason: 'a documentation address' },
	{ base: [203, 0, 113, 0], bits: 24, reason: 'a documentation address' },
	{ base: [224, 0, 0, 0], bits: 4, reason: 'a multicast address' },
	{ base: [240, 0, 0, 0], bits: 4, reason: 'a reserved address' },
];

function inRange(bytes: number[], base: number[], bits: number): boolean {
	for (let bit = 0; bit < bits; bit++) {
		const byte = bit >> 3;
		const mask = 0x80 >> (bit & 7);
		if ((bytes[byte] & mask) !== (base[byte] & mask)) return false;
	}
	return true;
}

function ipv4Reason(bytes: number[]): string | undefined {
	return IPV4_RANGES.find((range) => inRange(bytes, range.base, range.bits))?.reason;
}

const IPV6_RANGES: Range[] = [
	{ base: [0xfc], bits: 7, reason: 'a private (unique local) address' },
	{ base: [0xfe, 0x80], bits: 10, reason: 'a link-local address' },
	{ base: [0xfe, 0xc0], bits: 10, reason: 'a site-local address' },
	{ base: [0xff], bits: 8, reason: 'a multicast address' },
	{ base: [0x20, 0x01, 0x0d, 0xb8], bits: 32, reason: 'a documentation address' },
	{ base: [0x01, 0x00, 0, 0, 0, 0, 0, 0], bits: 64, reason: 'a discard-only address' },
];

function ipv6Reason(bytes: number[]): string | undefined {
	const zeros = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
	if (zeros(0, 15) && bytes[15] === 0) return 'the unspecified address';
	if (zeros(0, 15) && bytes[15] === 1) return 'a loopback address';
	// ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides.
	const mapped = zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff;
	const compatible = zeros(0, 12);
	const nat64 = bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12);
	if (mapped || compatible || nat64) return ipv4Reason(bytes.slice(12, 16));
	// 2002:a.b.c.d::/48 (6to4) carries its IPv4 address in bytes 2 to 5.
	if (bytes[0] === 0x20 && bytes[1] === 0x02) return ipv4Reason(bytes.slice(2, 6));
	return IPV6_RANGES.find((range) => inRange(bytes, range.base, range.bits))?.reason;
}

/** Dotted IPv4 (as a URL parser normalises every numeric form of it), or undefined. */
export function parseIPv4(text: string): number[] | undefined {
	const parts = text.split('.');
	if (parts.length !== 4) return undefined;
	const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
	return bytes.every((byte) => byte >= 0 && byte <= 255) ? bytes : undefined;
}

/** IPv6 (with or without brackets, with an embedded IPv4 tail, no zone), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
	let value = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
	if (!value.includes(':') || value.includes('%')) return undefined;
	const lastColon = value.lastIndexOf(':');
	if (value.slice(lastColon + 1).includes('.')) {
		// An IPv4 tail (::ffff:127.0.0.1) stands for the last two groups.
		const v4 = parseIPv4(value.slice(lastColon + 1));
		if (!v4) return undefined;
		value = `${value.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
	}
	const halves = value.split('::');
	if (halves.length > 2) return undefined;
	const groups = (part: string) => (part === '' ? [] : part.split(':'));
	const head = groups(halves[0]);
	const rest = halves.length === 2 ? groups(halves[1]) : [];
	const missing = 8 - head.length - rest.length;
	if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
	const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
	if (!all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
	const words = all.map((group) => parseInt(group, 16));
	return words.flatMap((word) => [word >> 8, word & 0xff]);
}

/** Whether `host` (a URL's hostname) is an IP address written out, not a name. */
export function isIpLiteral(host: string): boolean {
	return parseIPv4(host) !== undefined || parseIPv6(host) !== undefined;
}
