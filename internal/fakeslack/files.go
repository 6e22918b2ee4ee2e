package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// UploadStep is the pseudo-method whose faults (Fail) the upload URL
// shows: the second step of Slack's external upload, between
// files.getUploadURLExternal and files.completeUploadExternal.
const UploadStep = "files.upload_url"

// File is a file uploaded through the external upload flow.
type File struct {
	ID       string
	Name     string // filename given to files.getUploadURLExternal
	AltText  string // alt_txt
	Size     int    // length announced
	Data     []byte // the bytes sent to the upload URL; nil until then
	Title    string // from files.completeUploadExternal
	Channel  string // conversation it was shared to; "" until completed
	Comment  string // initial_comment
	Complete bool
}

// Files returns the files uploaded so far, in upload order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, len(s.fileOrder))
	for i, id := range s.fileOrder {
		out[i] = *s.files[id]
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}

// getUploadURL answers files.getUploadURLExternal with an upload URL on
// the double itself.
func (s *Server) getUploadURL(c Call) obj {
	name, size := c.param("filename"), c.param("length")
	n, err := strconv.Atoi(size)
	if name == "" || err != nil || n <= 0 {
		return errBody("invalid_arguments")
	}
	if utf8.RuneCountInString(c.param("alt_txt")) > 1000 {
		return errBody("alt_txt_too_large")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]*File{}
	}
	s.seq++
	id := fmt.Sprintf("F%08d", s.seq)
	s.files[id] = &File{ID: id, Name: name, AltText: c.param("alt_txt"), Size: n}
	s.fileOrder = append(s.fileOrder, id)
	return obj{"ok": true, "upload_url": s.srv.URL + "/upload/" + id, "file_id": id}
}

// serveUpload takes the file's bytes at its upload URL, as Slack does: a
// multipart form (slack-go's way) or a raw body, answering 200 "OK".
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: UploadStep, At: s.Now(), Token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")})
	f := s.files[id]
	s.mu.Unlock()
	if fl, ok := s.takeFault(UploadStep); ok {
		s.misbehave(w, r, fl)
		return
	}
	if r.Method != http.MethodPost || f == nil {
		http.Error(w, "no such upload", http.StatusNotFound)
		return
	}
	data, err := uploadedBytes(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f.Data = data
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

func uploadedBytes(r *http.Request) ([]byte, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(mt, "multipart/") {
		return io.ReadAll(io.LimitReader(r.Body, 50<<20))
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, fmt.Errorf("no file part: %w", err)
		}
		if p.FormName() == "file" {
			return io.ReadAll(io.LimitReader(p, 50<<20))
		}
	}
}

// completeUpload answers files.completeUploadExternal: every file must
// have been uploaded in full; it is then shared to channel_id with the
// comment.
func (s *Server) completeUpload(c Call) obj {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(c.param("files")), &files); err != nil || len(files) == 0 {
		return errBody("invalid_arguments")
	}
	channel := c.param("channel_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []obj
	for _, in := range files {
		f := s.files[in.ID]
		if f == nil || f.Data == nil || len(f.Data) != f.Size {
			return errBody("file_not_found")
		}
		f.Title, f.Channel, f.Comment, f.Complete = in.Title, channel, c.param("initial_comment"), true
		out = append(out, obj{"id": f.ID, "title": f.Title})
	}
	return obj{"ok": true, "files": out}
}
