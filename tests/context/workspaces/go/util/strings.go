package util

const Sep = ","

type Joiner struct {
	Parts []string
}

func Join(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += Sep
		}
		out += p
	}
	return out
}

func (j *Joiner) String() string {
	return Join(j.Parts)
}
