/**
 * The address classifier of the URL checks (nodes/shared/transport/addresses.ts). Addresses here
 * are data for the classifier only: nothing connects to them.
 */
import { isIpLiteral, nonPublicReason, parseIPv6 } from '../../nodes/shared/transport/addresses';

describe('nonPublicReason', () => {
	it.each([
		['127.0.0.1', /loopback/],
		['127.255.0.2', /loopback/],
		['10.1.2.3', /private/],
		['172.16.0.1', /private/],
		['172.31.255.255', /private/],
		['192.168.1.1', /private/],
		['100.64.0.1', /carrier-grade NAT/],
		['100.127.255.255', /carrier-grade NAT/],
		['169.254.169.254', /link-local/],
		['0.0.0.0', /this network/],
		['224.0.0.1', /multicast/],
		['239.255.255.250', /multicast/],
		['240.0.0.1', /reserved/],
		['255.255.255.255', /reserved/],
		['192.0.2.10', /documentation/],
		['198.18.0.1', /benchmarking/],
		['::1', /loopback/],
		['::', /unspecified/],
		['[::1]', /loopback/],
		['::ffff:127.0.0.1', /loopback/],
		['::ffff:7f00:2', /loopback/],
		['::ffff:169.254.169.254', /link-local/],
		['64:ff9b::a9fe:a9fe', /link-local/],
		['2002:7f00:1::', /loopback/],
		['fc00::1', /unique local/],
		['fd00:ec2::254', /unique local/],
		['fe80::1', /link-local/],
		['ff02::1', /multicast/],
		['2001:db8::1', /documentation/],
		['not-an-address', /not an IP address/],
	])('refuses %s', (address, reason) => {
		expect(nonPublicReason(address)).toMatch(reason);
	});

	it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001:82a::200e'])(
		'accepts the public address %s',
		(address) => {
			expect(nonPublicReason(address)).toBeUndefined();
		},
	);
});

describe('parsing', () => {
	it('reads every IPv6 form to the same 16 bytes', () => {
		const loopback = [...Array(15).fill(0), 1];
		expect(parseIPv6('::1')).toEqual(loopback);
		expect(parseIPv6('0:0:0:0:0:0:0:1')).toEqual(loopback);
		expect(parseIPv6('[0::0:1]')).toEqual(loopback);
		expect(parseIPv6('::ffff:127.0.0.1')).toEqual([...Array(10).fill(0), 0xff, 0xff, 127, 0, 0, 1]);
	});

	it.each(['1::2::3', '12345::', '::g', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '::1.2.3'])('rejects the malformed IPv6 %s', (text) => {
		expect(parseIPv6(text)).toBeUndefined();
	});

	it('tells addresses written out from names', () => {
		expect(isIpLiteral('127.0.0.2')).toBe(true);
		expect(isIpLiteral('[::1]')).toBe(true);
		expect(isIpLiteral('files.example.com')).toBe(false);
		expect(isIpLiteral('1.2.3')).toBe(false);
	});
});
