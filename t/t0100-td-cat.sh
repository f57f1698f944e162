#!/bin/sh
# td-cat end to end: the traced and flat forms, --history, --verify, and how bad input is reported.
# Expected bytes come from CoreDataModules v0.15.2 run on the same records (coredata.md §2-§3).

. "$(dirname "$0")/test-lib.sh"

VERSION=$(td-cat --version | sed -n 's/^td-cat (tdtools) //p')

# json_export_expected.json of CoreDataModules' tests, lines 1-3 (line 3 holds a nested TracedData).
cat >fixture.jsonl <<\EOF
[{"Data": {"Gender": "female", "URN": "+0012345000000"}, "Metadata": {"Source": "data_generator", "Timestamp": 0, "User": "test_user"}, "NestedTracedData": {}, "SHA": "c28dbf6c83e40b8cbcc4ef3133abe0c634fef85c90505c46ccb1f12dd2735abe"}]
[{"Data": {"Gender": "f", "Gender_Coded": "Female"}, "Metadata": {"Source": "gender_coder", "Timestamp": 10, "User": "test_user"}, "NestedTracedData": {}, "SHA": "4ab227ee6e4daeb5fcd8a0265326f9e7d06691e3545d2bcc52f338cd3e72a89c"}, {"Data": {"Gender": "m", "URN": "+0012345000001"}, "Metadata": {"Source": "data_generator", "Timestamp": 1, "User": "test_user"}, "NestedTracedData": {}, "SHA": "51480dd25b6bfd705ba2e098c2d96232bdc7f97cbb9d5fcbf2c5047ed3fcdf5b"}]
[{"Data": {}, "Metadata": {"Source": "age_merger", "Timestamp": 12, "User": "test_user"}, "NestedTracedData": {"Age_Data": [{"Data": {"age": 4}, "Metadata": {"Source": "age_generator", "Timestamp": 11, "User": "test_user"}, "NestedTracedData": {}, "SHA": "d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399c1079"}]}, "SHA": "5e8a4d1d37685d4261f8842c0a57ae3e519d588e7399472b3e8d320bdcd94fa5"}, {"Data": {"Gender": "WoMaN", "URN": "+0012345000002"}, "Metadata": {"Source": "data_generator", "Timestamp": 2, "User": "test_user"}, "NestedTracedData": {}, "SHA": "81cb41b0e6b9d35a4338fc773d5528813f6038fdabb71f787b9679a4bca2a0ea"}]
EOF

# a=1,b=2,c=3; hide b (and zz, never set); d=4; b=5, a=6.
cat >hidden.jsonl <<\EOF
[{"Data": {"a": 6, "b": 5}, "Metadata": {"Source": "s", "Timestamp": 3, "User": "u"}, "NestedTracedData": {}, "SHA": "0cb0bbbdd20d26da8fcee609c929fe991d551f33beeb7bfa3643341098f83fd0"}, {"Data": {"d": 4}, "Metadata": {"Source": "s", "Timestamp": 2, "User": "u"}, "NestedTracedData": {}, "SHA": "b9b4bf90f0f4a2fde4e5c053abc4a0b00c29c3ac24fb6c5f6f26db4e942ae143"}, {"Data": {"b": "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0", "zz": "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"}, "Metadata": {"Source": "s", "Timestamp": 1, "User": "u"}, "NestedTracedData": {}, "SHA": "66343369620a8d7c1b306d66c2c59bcc2331c4f9c96cab4ae4edce2db2a29cd2"}, {"Data": {"a": 1, "b": 2, "c": 3}, "Metadata": {"Source": "s", "Timestamp": 0, "User": "u"}, "NestedTracedData": {}, "SHA": "351e9f406fb9c31fbde2770641af4e95317a29b6e9c35f8bd182d32ec7fb7f2a"}]
EOF

# Nested two levels deep; the parent hides y (a key of the nested record), the nested one hides w.
cat >nested.jsonl <<\EOF
[{"Data": {"y": "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"}, "Metadata": {"Source": "s", "Timestamp": 5, "User": "u"}, "NestedTracedData": {}, "SHA": "4524ea1d2ad2b200428babf592b90b9f0def48274eaa8eed61bfb7fafce1e97b"}, {"Data": {}, "Metadata": {"Source": "s", "Timestamp": 4, "User": "u"}, "NestedTracedData": {"child": [{"Data": {}, "Metadata": {"Source": "s", "Timestamp": 3, "User": "u"}, "NestedTracedData": {"G": [{"Data": {"g": 7}, "Metadata": {"Source": "s", "Timestamp": 0, "User": "u"}, "NestedTracedData": {}, "SHA": "27dcaee3b44765040018667f1079afe237b3547a42fb8b8dd876953283af909e"}]}, "SHA": "87937a64d001e73828517159e6aa5e992f86cf4902ff5441e6ab667c4dd0a32e"}, {"Data": {"w": "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"}, "Metadata": {"Source": "s", "Timestamp": 2, "User": "u"}, "NestedTracedData": {}, "SHA": "f6c6b0a07b3318e265b1d7667969be60e70a7f8d3d5b1e14d8050a958aa232ab"}, {"Data": {"w": 9}, "Metadata": {"Source": "s", "Timestamp": 1, "User": "u"}, "NestedTracedData": {}, "SHA": "bee0cd67664cb0feff2f6ad07503192757f3c73661882be0260523268951c896"}, {"Data": {"x": 1, "y": 2}, "Metadata": {"Source": "s", "Timestamp": 0, "User": "u"}, "NestedTracedData": {}, "SHA": "9acd349c98195d9487cd25449647659f2fbc856cca85655123515c39c5da3271"}]}, "SHA": "7f716d24e5ff10308234583b3a8a380f1d4b920fce24aa2e8cc784970fac33cc"}, {"Data": {"p": "q", "x": 1}, "Metadata": {"Source": "s", "Timestamp": 0, "User": "u"}, "NestedTracedData": {}, "SHA": "2b718152737834a605ccd841222078b7618df73771539cbee953d39397a7be8b"}]
EOF

# msg set at 10 and 20, hidden at 30, set by a nested record stamped 5 (nested at 40), set again at 25.5.
cat >history.jsonl <<\EOF
[{"Data": {"msg": "last"}, "Metadata": {"Source": "s", "Timestamp": 25.5, "User": "u"}, "NestedTracedData": {}, "SHA": "3910a2ae92bd9fba34d5369d60c0d564364775f0a08b8a6533ce438137966777"}, {"Data": {}, "Metadata": {"Source": "s", "Timestamp": 40, "User": "u"}, "NestedTracedData": {"child": [{"Data": {"msg": "from child", "other": 1}, "Metadata": {"Source": "s", "Timestamp": 5, "User": "u"}, "NestedTracedData": {}, "SHA": "25c2d89049225bff5f8247600192581e1df31bda09f4e79608ab4a603fefbe94"}]}, "SHA": "b0ef078a8677f8719659f99f91f10e1955b334cc250ed058ce44732160c2ba25"}, {"Data": {"msg": "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"}, "Metadata": {"Source": "s", "Timestamp": 30, "User": "u"}, "NestedTracedData": {}, "SHA": "e3122d81a01396375ad7e3e8cba6809d3b1ea2afd19f25946779eb2fd217de11"}, {"Data": {"msg": "hi"}, "Metadata": {"Source": "s", "Timestamp": 20, "User": "u"}, "NestedTracedData": {}, "SHA": "518197140e58efb6e08692789dbc1cc3c7f11ec5244039b829a8f4b9226b36f8"}, {"Data": {"msg": "hello", "n": 1}, "Metadata": {"Source": "s", "Timestamp": 10, "User": "u"}, "NestedTracedData": {}, "SHA": "36efb61b702f076be5c7da35485dd89d21c34878d8bf16a576f844229d6a6499"}]
EOF

test_expect_success 'a traced record without options comes out byte for byte' '
	td-cat fixture.jsonl >actual &&
	test_cmp fixture.jsonl actual
'

test_expect_success '--verify passes good records through unchanged' '
	td-cat --verify fixture.jsonl hidden.jsonl nested.jsonl history.jsonl >actual &&
	cat fixture.jsonl hidden.jsonl nested.jsonl history.jsonl >expect &&
	test_cmp expect actual
'

test_expect_success '--verify -q prints nothing for good records' '
	td-cat --verify -q fixture.jsonl nested.jsonl >actual 2>err &&
	test_cmp /dev/null actual &&
	test_cmp /dev/null err
'

test_expect_success '--verify of a flat record passes (nothing to verify)' '
	echo "{\"a\": 1}" >f1.jsonl &&
	td-cat --verify f1.jsonl >actual &&
	test_cmp f1.jsonl actual
'

test_expect_success '--flat: the latest values, nested values included, in Python dict order' '
	cat >expect <<-\EOF &&
	{"Gender": "female", "URN": "+0012345000000"}
	{"Gender": "f", "URN": "+0012345000001", "Gender_Coded": "Female"}
	{"Gender": "WoMaN", "URN": "+0012345000002", "age": 4}
	EOF
	td-cat --flat fixture.jsonl >actual &&
	test_cmp expect actual &&
	td-cat -f fixture.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--flat leaves hidden keys out; a key set again after hiding moves to the end' '
	echo "{\"a\": 6, \"c\": 3, \"d\": 4, \"b\": 5}" >expect &&
	td-cat --flat hidden.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--flat of nested records: keys hidden in the parent and in the nested record are gone' '
	echo "{\"p\": \"q\", \"x\": 1, \"g\": 7}" >expect &&
	td-cat --flat nested.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--flat never prints the tombstone' '
	td-cat --flat hidden.jsonl nested.jsonl history.jsonl >actual &&
	! grep HIDDEN-VALUE actual
'

test_expect_success '--traced of a flat record: one entry, canonical values, SHA with prev ""' '
	cat >flat.jsonl <<-\EOF &&
	{"name": "Zo\u00eb", "n": 1E5, "x": [2, {"b": 1, "a": 2}], "age": 20}
	EOF
	printf "%s\n" "[{\"Data\": {\"age\": 20, \"n\": 100000.0, \"name\": \"Zo\\u00eb\", \"x\": [2, {\"a\": 2, \"b\": 1}]}, \"Metadata\": {\"Source\": \"td-cat $VERSION\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\", \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, \"SHA\": \"f28216fe21b37c6cbc18f2c7a4ea5b40de28110b724ff7acdfae889250574ae5\"}]" >expect &&
	td-cat --traced flat.jsonl >actual &&
	test_cmp expect actual &&
	td-cat --verify actual >again &&
	test_cmp actual again
'

test_expect_success '--traced -u sets Metadata.User; the SHA does not change' '
	td-cat -t -u "coder@example.org" flat.jsonl >actual &&
	grep -q "\"User\": \"coder@example.org\"" actual &&
	grep -q "\"SHA\": \"f28216fe21b37c6cbc18f2c7a4ea5b40de28110b724ff7acdfae889250574ae5\"" actual &&
	TD_USER= USER=someone td-cat -t flat.jsonl >actual &&
	grep -q "\"User\": \"someone@" actual
'

test_expect_success '--traced of a traced record changes nothing' '
	td-cat --traced fixture.jsonl >actual &&
	test_cmp fixture.jsonl actual
'

test_expect_success '--traced then --flat gives the values back (keys sorted, as the entry stores them)' '
	echo "{\"b\": 1, \"a\": [true, null]}" >f.jsonl &&
	td-cat --traced f.jsonl | td-cat --flat >actual &&
	echo "{\"a\": [true, null], \"b\": 1}" >expect &&
	test_cmp expect actual
'

test_expect_success '--history KEY: oldest first by timestamp, nested entries included, tombstones shown' '
	cat >expect <<-\EOF &&
	[{"sha": "25c2d89049225bff5f8247600192581e1df31bda09f4e79608ab4a603fefbe94", "timestamp": 5, "value": "from child"}, {"sha": "36efb61b702f076be5c7da35485dd89d21c34878d8bf16a576f844229d6a6499", "timestamp": 10, "value": "hello"}, {"sha": "518197140e58efb6e08692789dbc1cc3c7f11ec5244039b829a8f4b9226b36f8", "timestamp": 20, "value": "hi"}, {"sha": "3910a2ae92bd9fba34d5369d60c0d564364775f0a08b8a6533ce438137966777", "timestamp": 25.5, "value": "last"}, {"sha": "e3122d81a01396375ad7e3e8cba6809d3b1ea2afd19f25946779eb2fd217de11", "timestamp": 30, "value": "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"}]
	EOF
	td-cat --history msg history.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--history of a key set once, of a nested-record key, and of an absent key' '
	cat >expect <<-\EOF &&
	[{"sha": "36efb61b702f076be5c7da35485dd89d21c34878d8bf16a576f844229d6a6499", "timestamp": 10, "value": 1}]
	[{"sha": "b0ef078a8677f8719659f99f91f10e1955b334cc250ed058ce44732160c2ba25", "timestamp": 40, "value": "25c2d89049225bff5f8247600192581e1df31bda09f4e79608ab4a603fefbe94"}]
	[]
	EOF
	td-cat --history n history.jsonl >actual &&
	td-cat --history child history.jsonl >>actual &&
	td-cat --history none history.jsonl >>actual &&
	test_cmp expect actual
'

test_expect_success '--history with ISO-8601 timestamps' '
	cat >iso.jsonl <<-\EOF &&
	[{"Data": {"k": "c"}, "Metadata": {"Source": "s", "Timestamp": "2021-05-13T11:00:00+00:00", "User": "u"}, "NestedTracedData": {}, "SHA": "39cea83ca4bd02ff4fa5e4ca5b1e3daae6ab42c2d863340db9d33e15605fe7e2"}, {"Data": {"k": "b"}, "Metadata": {"Source": "s", "Timestamp": "2021-05-13T09:00:00.5+00:00", "User": "u"}, "NestedTracedData": {}, "SHA": "76afe77131b38b1cd89b70521e0e588f07e5fbc075dba8027a281d4a29e77ef9"}, {"Data": {"k": "a"}, "Metadata": {"Source": "s", "Timestamp": "2021-05-13T10:00:00.000000+00:00", "User": "u"}, "NestedTracedData": {}, "SHA": "c9df7e3c100323b166fb6034c133c3c517912d88a3fba37813408bb601d76f80"}]
	EOF
	cat >expect <<-\EOF &&
	[{"sha": "76afe77131b38b1cd89b70521e0e588f07e5fbc075dba8027a281d4a29e77ef9", "timestamp": "2021-05-13T09:00:00.5+00:00", "value": "b"}, {"sha": "c9df7e3c100323b166fb6034c133c3c517912d88a3fba37813408bb601d76f80", "timestamp": "2021-05-13T10:00:00.000000+00:00", "value": "a"}, {"sha": "39cea83ca4bd02ff4fa5e4ca5b1e3daae6ab42c2d863340db9d33e15605fe7e2", "timestamp": "2021-05-13T11:00:00+00:00", "value": "c"}]
	EOF
	td-cat --history k iso.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--history of a flat record: its value, without SHA or time' '
	echo "{\"msg\": \"x\"}" | td-cat --history msg >actual &&
	echo "[{\"sha\": null, \"timestamp\": null, \"value\": \"x\"}]" >expect &&
	test_cmp expect actual
'

# A record nested 1000 levels deep (3000 JSON levels, within the scanner's 10000): v is set innermost.
awk 'BEGIN {
	for (i = 0; i < 1000; i++)
		printf "[{\"Data\": {}, \"Metadata\": {\"Timestamp\": 2}, \"NestedTracedData\": {\"k\": "
	printf "[{\"Data\": {\"v\": 1}, \"Metadata\": {\"Timestamp\": 1}, \"NestedTracedData\": {}, \"SHA\": \"x\"}]"
	for (i = 0; i < 1000; i++)
		printf "}, \"SHA\": \"x\"}]"
	printf "\n"
}' >deep.jsonl

test_expect_success 'a record nested 1000 levels deep: as read, and --flat' '
	td-cat deep.jsonl >actual &&
	test_cmp deep.jsonl actual &&
	echo "{\"v\": 1}" >expect &&
	td-cat --flat deep.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'a record nested 1000 levels deep: --history (no stack overflow)' '
	echo "[{\"sha\": \"x\", \"timestamp\": 1, \"value\": 1}]" >expect &&
	td-cat --history v deep.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'a record nested 1000 levels deep: --verify reports the innermost entry' '
	{ td-cat --verify deep.jsonl >out 2>err; test $? = 65; } &&
	grep -q "^td-cat: deep.jsonl:1: history entry 1: NestedTracedData \"k\": .*SHA mismatch (recorded x, computed " err
'

# Line 2 with the older entry's Gender changed from "m" to "M".
sed -e '2s/"Gender": "m"/"Gender": "M"/' fixture.jsonl >tampered.jsonl
# Line 3 with the nested record's age changed from 4 to 5.
sed -e '3s/"age": 4/"age": 5/' fixture.jsonl >tampered-nested.jsonl

test_expect_code 65 'a tampered value fails --verify with exit 65' '
	td-cat --verify tampered.jsonl >out 2>err
'

test_expect_success 'the message names the file, the line and the entry' '
	echo "td-cat: tampered.jsonl:2: history entry 2 of 2 (1 = newest): SHA mismatch (recorded 51480dd25b6bfd705ba2e098c2d96232bdc7f97cbb9d5fcbf2c5047ed3fcdf5b, computed 6ed58e0c7dca0e59b690ff0554e63c9ad2c1606e7520f27a40d1c4daaf58327d)" >expect &&
	test_cmp expect err &&
	head -1 fixture.jsonl >expect &&
	test_cmp expect out
'

test_expect_code 65 'a tampered nested value fails --verify' '
	td-cat --verify tampered-nested.jsonl >out 2>err
'

test_expect_success 'the message names the nested record' '
	echo "td-cat: tampered-nested.jsonl:3: history entry 1: NestedTracedData \"Age_Data\": history entry 1 of 1 (1 = newest): SHA mismatch (recorded d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399c1079, computed 947fce30a2cbf29df006dc8da25991de69f56bc16b8b6d1a832ed9cc5d28c683)" >expect &&
	test_cmp expect err
'

test_expect_success '--verify -q on a tampered record: exit 65, silent' '
	{ td-cat --verify -q tampered.jsonl >out 2>err; test $? = 65; } &&
	test_cmp /dev/null out &&
	test_cmp /dev/null err
'

test_expect_success 'without --verify a tampered record is printed as it is' '
	td-cat tampered.jsonl >actual &&
	test_cmp tampered.jsonl actual
'

test_expect_success 'metadata is not hashed: changing a timestamp still verifies' '
	sed -e "2s/\"Timestamp\": 10/\"Timestamp\": 99/" fixture.jsonl >meta.jsonl &&
	td-cat --verify -q meta.jsonl
'

test_expect_success 'truncated JSON: exit 65 and the column' '
	printf "%s\n" "[{\"Data\": {}" >bad.jsonl &&
	{ td-cat bad.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: bad.jsonl:1: invalid JSON at column 13: unexpected end of input" >expect &&
	test_cmp expect err &&
	test_cmp /dev/null out
'

test_expect_success 'invalid JSON on a later line: earlier records are out, then exit 65' '
	printf "%s\n" "{\"a\": 1}" "{\"a\": tru}" "{\"a\": 3}" >bad.jsonl &&
	{ td-cat bad.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: bad.jsonl:2: invalid JSON at column 7: invalid literal" >expect &&
	test_cmp expect err &&
	echo "{\"a\": 1}" >expect &&
	test_cmp expect out
'

test_expect_success 'invalid UTF-8: exit 65, reported like any invalid JSON' '
	printf "{\"a\": \"\\377\"}\n" >bad.jsonl &&
	{ td-cat bad.jsonl >out 2>err; test $? = 65; } &&
	grep "^td-cat: bad.jsonl:1: invalid JSON at column 8: .*UTF-8" err
'

test_expect_success 'a record that is not TracedData: exit 65' '
	printf "%s\n" "[1]" >bad.jsonl &&
	{ td-cat bad.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: bad.jsonl:1: history entry 1: expected an object" >expect &&
	test_cmp expect err &&
	printf "%s\n" "\"text\"" >bad.jsonl &&
	{ td-cat bad.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: bad.jsonl:1: expected a TracedData array or a flat JSON object" >expect &&
	test_cmp expect err
'

test_expect_success 'a blank line: exit 65' '
	printf "%s\n" "{\"a\": 1}" "" "{\"a\": 3}" >bad.jsonl &&
	{ td-cat bad.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: bad.jsonl:2: blank line (expected a record)" >expect &&
	test_cmp expect err
'

test_expect_success 'a line of blanks is a blank line too' '
	printf "{\"a\": 1}\n \t \n" >bad.jsonl &&
	{ td-cat bad.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: bad.jsonl:2: blank line (expected a record)" >expect &&
	test_cmp expect err
'

# 100 bytes exactly, and 101.
printf '{"k": "%s"}\n' 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890 >max100.jsonl
printf '{"k": "%s"}\n' 01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901 >max101.jsonl

test_expect_success '--max-record 100 accepts a record of 100 bytes' '
	test $(head -1 max100.jsonl | tr -d "\n" | wc -c) = 100 &&
	td-cat --max-record 100 max100.jsonl >actual &&
	test_cmp max100.jsonl actual
'

test_expect_success '--max-record 100 refuses 101 bytes with exit 65' '
	{ td-cat --max-record 100 max101.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: max101.jsonl:1: record longer than the limit of 100 bytes (--max-record)" >expect &&
	test_cmp expect err
'

test_expect_success '--max-record: a long last line without a newline' '
	printf "%s" "$(cat max101.jsonl)" >nonl.jsonl &&
	{ td-cat --max-record 100 nonl.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: nonl.jsonl:1: record longer than the limit of 100 bytes (--max-record)" >expect &&
	test_cmp expect err
'

test_expect_success '--max-record takes K, M and G' '
	td-cat --max-record 1K max101.jsonl >actual &&
	test_cmp max101.jsonl actual &&
	td-cat --max-record 1M max101.jsonl >actual &&
	td-cat --max-record 1G max101.jsonl >actual
'

test_expect_code 66 'a missing file: exit 66' '
	td-cat fixture.jsonl no-such-file.jsonl >out 2>err
'

test_expect_success 'a missing file: the message' '
	echo "td-cat: no-such-file.jsonl: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'a directory: exit 66' '
	mkdir -p adir &&
	{ td-cat adir >out 2>err; test $? = 66; } &&
	echo "td-cat: adir: is a directory" >expect &&
	test_cmp expect err
'

test_expect_success '--skip-bad skips bad records, reports each, then the count' '
	printf "%s\n" "{\"a\": 1}" "[1]" "{\"a\": tru}" "" "{\"b\": 2}" "\"x\"" >mixed.jsonl &&
	td-cat --skip-bad mixed.jsonl >actual 2>err &&
	printf "%s\n" "{\"a\": 1}" "{\"b\": 2}" >expect &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	td-cat: mixed.jsonl:2: history entry 1: expected an object (skipped)
	td-cat: mixed.jsonl:3: invalid JSON at column 7: invalid literal (skipped)
	td-cat: mixed.jsonl:4: blank line (expected a record) (skipped)
	td-cat: mixed.jsonl:6: expected a TracedData array or a flat JSON object (skipped)
	td-cat: skipped 4 bad records
	EOF
	test_cmp expect err
'

test_expect_success '--skip-bad with one bad record says "record"' '
	printf "%s\n" "{\"a\": 1}" "nul" >one.jsonl &&
	td-cat --skip-bad one.jsonl >actual 2>err &&
	tail -1 err >last &&
	echo "td-cat: skipped 1 bad record" >expect &&
	test_cmp expect last
'

test_expect_success '--skip-bad does not skip a record over --max-record' '
	{ td-cat --skip-bad --max-record 100 max101.jsonl >out 2>err; test $? = 65; }
'

test_expect_success 'CRLF line endings are accepted and dropped' '
	printf "{\"a\": 1}\r\n{\"b\": 2}\r\n" >crlf.jsonl &&
	td-cat crlf.jsonl >actual &&
	printf "%s\n" "{\"a\": 1}" "{\"b\": 2}" >expect &&
	test_cmp expect actual &&
	sed -e "s/\$/$(printf "\r")/" fixture.jsonl >crlf-traced.jsonl &&
	td-cat --verify crlf-traced.jsonl >actual &&
	test_cmp fixture.jsonl actual
'

test_expect_success 'a last line without a newline is a record and gets one' '
	printf "{\"a\": 1}\n{\"b\": 2}" >nonl.jsonl &&
	td-cat nonl.jsonl >actual &&
	printf "%s\n" "{\"a\": 1}" "{\"b\": 2}" >expect &&
	test_cmp expect actual
'

test_expect_success 'an empty file: no output, exit 0' '
	: >empty.jsonl &&
	td-cat empty.jsonl >actual 2>err &&
	test_cmp /dev/null actual &&
	test_cmp /dev/null err
'

test_expect_success 'standard input, with no file or with -, between files' '
	printf "%s\n" "{\"in\": 1}" >in.jsonl &&
	td-cat <in.jsonl >actual &&
	test_cmp in.jsonl actual &&
	td-cat f.jsonl - f.jsonl <in.jsonl >actual &&
	cat f.jsonl in.jsonl f.jsonl >expect &&
	test_cmp expect actual
'

test_expect_success 'standard input is named <stdin> in messages' '
	{ printf "%s\n" "{\"a\": tru}" | td-cat - >out 2>err; test $? = 65; } &&
	echo "td-cat: <stdin>:1: invalid JSON at column 7: invalid literal" >expect &&
	test_cmp expect err
'

test_expect_success 'line numbers count per file' '
	{ td-cat fixture.jsonl mixed.jsonl >out 2>err; test $? = 65; } &&
	echo "td-cat: mixed.jsonl:2: history entry 1: expected an object" >expect &&
	test_cmp expect err
'

test_expect_code 64 'an unknown option: exit 64' '
	td-cat --bogus fixture.jsonl
'

test_expect_success 'usage on stderr, nothing on stdout' '
	{ td-cat --bogus fixture.jsonl >out 2>err; test $? = 64; } &&
	test_cmp /dev/null out &&
	tail -1 err | grep "^usage: td-cat \[-fqt\] \[--verify\] \[--history KEY\]"
'

test_expect_success 'bad option values and combinations: exit 64' '
	{ td-cat --history >out 2>err; test $? = 64; } &&
	{ td-cat --max-record 12x fixture.jsonl >out 2>err; test $? = 64; } &&
	echo "td-cat: --max-record: expected a size such as 1048576, 64K or 256M, got '"'"'12x'"'"'" >expect &&
	test_cmp expect err &&
	{ td-cat --max-record 0 fixture.jsonl >out 2>err; test $? = 64; } &&
	{ td-cat --flat --history a fixture.jsonl >out 2>err; test $? = 64; } &&
	grep -q "cannot be combined" err
'

test_expect_success '--version' '
	td-cat --version >actual &&
	grep -q "^td-cat (tdtools) [0-9][0-9.]*\$" actual &&
	test $(wc -l <actual) = 1
'

test_expect_success '--help on stdout, exit 0' '
	td-cat --help >actual 2>err &&
	head -1 actual | grep -q "^usage: td-cat" &&
	grep -q -- "--verify" actual &&
	test_cmp /dev/null err
'

test_expect_success 'SIGPIPE: td-cat big | head -1 ends quietly (killed by SIGPIPE)' '
	cp fixture.jsonl big.jsonl &&
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		cat big.jsonl big.jsonl >big2.jsonl && mv big2.jsonl big.jsonl || return 1
	done &&
	test $(wc -c <big.jsonl) -gt 1000000 &&
	{ td-cat big.jsonl 2>err; echo $? >rc; } | head -1 >actual &&
	head -1 fixture.jsonl >expect &&
	test_cmp expect actual &&
	test_cmp /dev/null err &&
	echo 141 >expect &&
	test_cmp expect rc
'

test_expect_success 'SIGPIPE ignored by the caller: still quiet' '
	(
		trap "" PIPE &&
		{ td-cat big.jsonl 2>err; echo $? >rc; } | head -1 >actual
	) &&
	test_cmp /dev/null err
'

test_expect_success 'a full disk is an error: exit 74' '
	if test -w /dev/full; then
		{ td-cat fixture.jsonl >/dev/full 2>err; test $? = 74; } &&
		echo "td-cat: write error: No space left on device" >expect &&
		test_cmp expect err
	fi
'

test_done
