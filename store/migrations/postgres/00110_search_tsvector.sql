-- +goose Up
-- Ranked search on PostgreSQL (twin of SQLite's 00110, a no-op there:
-- SQLite searches its FTS4 index). search_fts (00040) gains a tsvector of
-- the body, computed by the server on every insert the triggers make, and
-- a GIN index over it; no trigger changes.
--
-- Accents are folded by kam_search_fold, an immutable translate() of the
-- Latin letters with diacritics (Latin-1, Latin Extended-A and -B, Latin
-- Extended Additional) to their base letter in lower case, rather than the
-- unaccent extension: it needs no CREATE EXTENSION rights, and being
-- immutable it may feed a generated column. Search words go through the
-- same function, so both sides fold alike. Punctuation inside words
-- (e-mail, v2.1, a/b) becomes a space, so that words split where SQLite's
-- unicode61 tokenizer splits them; the 'simple' configuration lower-cases
-- and neither stems nor drops stop words, as the SQLite index does.

-- +goose StatementBegin
CREATE FUNCTION kam_search_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate(t,
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ-./@_',
        'aaaaaaceeeeiiiinoooooouuuuyaaaaaaceeeeiiiinoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy     ')
$$;
-- +goose StatementEnd

ALTER TABLE search_fts ADD COLUMN tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, kam_search_fold(body))) STORED;
CREATE INDEX search_fts_tsv ON search_fts USING gin (tsv);
-- Searches read the newest matches of a team first.
CREATE INDEX search_fts_team_docid ON search_fts (team_id, docid);

-- +goose Down
DROP INDEX search_fts_team_docid;
DROP INDEX search_fts_tsv;
ALTER TABLE search_fts DROP COLUMN tsv;
DROP FUNCTION kam_search_fold(text);
